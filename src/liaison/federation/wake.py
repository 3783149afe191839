"""Waking delivery workers in other processes when something is queued (PostgreSQL).

A transaction that queued an envelope sends ``pg_notify('liaison_outbox', schema)``
before it commits (``outbox._notify_other_processes``); PostgreSQL delivers the
notification only if it commits. Each worker on PostgreSQL keeps one connection that
LISTENs on the channel and wakes its runner when a notification for its own schema
arrives (several nodes may share one database, one schema each). So a separate
``liaison worker`` delivers what the API processes queued at once instead of at its
next poll. Polling stays as it was: a lost connection or notification only costs the
wait until the next poll.
SQLite needs none of this: its one worker runs in ``serve``, woken in-process.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from sqlalchemy import Engine

from liaison.federation.outbox import CHANNEL

RECONNECT_SECONDS = 2.0
log = logging.getLogger("liaison.worker")


def start_listener(engine: Engine, wake: threading.Event, stop: threading.Event) -> threading.Event:
    """LISTEN for queued envelopes on ``engine``'s database (PostgreSQL only) in a daemon
    thread that sets ``wake`` for each one of this node's schema, until ``stop``.
    Returns an event set once the listener is in place (never, on SQLite)."""
    listening = threading.Event()
    if engine.dialect.name == "postgresql":
        threading.Thread(
            target=_listen,
            args=(engine, wake, stop, listening),
            name="liaison-wake",
            daemon=True,
        ).start()
    return listening


def _listen(
    engine: Engine, wake: threading.Event, stop: threading.Event, listening: threading.Event
) -> None:
    while not stop.is_set():
        try:
            _listen_once(engine, wake, stop, listening)
        except Exception as exc:  # noqa: BLE001 (any lost connection: polling covers it)
            listening.clear()
            log.warning("outbox wake-up listener lost its connection (%s); retrying", exc)
            stop.wait(RECONNECT_SECONDS)


def _listen_once(
    engine: Engine, wake: threading.Event, stop: threading.Event, listening: threading.Event
) -> None:
    pooled = engine.raw_connection()
    try:
        connection: Any = pooled.driver_connection  # psycopg.Connection
        connection.autocommit = True
        schema = connection.execute("SELECT current_schema()").fetchone()[0]
        connection.execute(f"LISTEN {CHANNEL}")
        listening.set()
        while not stop.is_set():
            for notice in connection.notifies(timeout=1.0):
                if notice.payload == schema:
                    wake.set()
    finally:
        pooled.invalidate()  # never hand a LISTENing connection back to the pool
