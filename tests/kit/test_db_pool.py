"""PostgreSQL connections the server dropped while they sat in the pool are replaced before
a request uses them (``kit.db._ping_after_idle``), and a request never sees the error."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from liaison.kit.db import make_engine
from tests.support.nodes import PG_URL, drop_schemas, pg_schema

IDLE = 0.2


@pytest.fixture
def engine() -> Iterator[Engine]:
    schema, url = pg_schema("pool")
    engine = make_engine(url, ping_after_idle_seconds=IDLE)
    yield engine
    engine.dispose()
    drop_schemas(schema)


def _backend_pid(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text("SELECT pg_backend_pid()")) or 0)


def _terminate(pid: int) -> None:
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        assert conn.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    time.sleep(0.1)  # the backend is gone once the signal has been handled


def test_a_connection_killed_while_idle_is_replaced_before_use(engine: Engine) -> None:
    dropped = _backend_pid(engine)
    _terminate(dropped)
    time.sleep(IDLE * 2)
    with engine.connect() as conn:  # no error: the ping found it dead and the pool reconnected
        assert conn.scalar(text("SELECT 1")) == 1
        assert conn.scalar(text("SELECT pg_backend_pid()")) != dropped


def test_a_connection_just_handed_back_is_used_without_a_ping(engine: Engine) -> None:
    pings: list[object] = []
    ping = engine.dialect.do_ping
    engine.dialect.do_ping = lambda connection: pings.append(connection) or ping(connection)  # type: ignore[method-assign]
    for _ in range(5):
        _backend_pid(engine)
    assert pings == []  # each checkout came within IDLE of the last checkin
    time.sleep(IDLE * 2)
    _backend_pid(engine)
    assert len(pings) == 1
