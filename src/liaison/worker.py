"""Background work of a node: every domain's periodic jobs, with one runner.

Runs as a thread inside ``liaison serve`` (and so in the demo) or on its own as
``liaison worker``. Several workers may run against one PostgreSQL database.
"""

from __future__ import annotations

import threading

import httpx
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.federation import wake
from liaison.federation.outbox import outbox_signal
from liaison.kit.jobs import JobRunner
from liaison.kit.plugin import JobContext, Registry


def run(
    factory: sessionmaker[Session], settings: Settings, registry: Registry, stop: threading.Event
) -> None:
    """Run the jobs until ``stop`` is set; wake at once when this process queues something
    (or, on PostgreSQL, when any process queues something for this node)."""
    bind = factory.kw["bind"]
    wake.start_listener(bind, outbox_signal, stop)
    with httpx.Client(
        headers={"User-Agent": f"liaison/{settings.node_name}"}, verify=settings.http_verify
    ) as client:
        context = JobContext(settings=settings, sessions=factory, registry=registry, http=client)
        JobRunner(context).run_until(stop, wake=outbox_signal)


def start_thread(
    factory: sessionmaker[Session], settings: Settings, registry: Registry
) -> threading.Event:
    stop = threading.Event()
    thread = threading.Thread(
        target=run, args=(factory, settings, registry, stop), name="liaison-worker", daemon=True
    )
    thread.start()
    return stop
