"""Database engine, sessions and the one-transaction-per-request rule.

Services only ``flush()``; the request dependency (or job runner) commits.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine, Insert, MetaData, create_engine, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError, InvalidatePoolError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

T = TypeVar("T")
log = logging.getLogger("liaison.db")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def insert_or_ignore(db: Session, model: type[Base]) -> Insert:
    """``INSERT … ON CONFLICT DO NOTHING`` into ``model``'s table, for this session's
    database: a row clashing with a stored one (or with one another transaction commits
    first) inserts nothing and fails nothing, so the caller's transaction goes on without a
    savepoint. Built once per table and database kind; pass the rows as parameters."""
    return _insert_or_ignore(model, db.get_bind().dialect.name)


@functools.cache
def _insert_or_ignore(model: type[Base], dialect: str) -> Insert:
    table = Base.metadata.tables[model.__tablename__]
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    return statement.on_conflict_do_nothing()


def insert_new(db: Session, model: type[Base], values: dict[str, Any]) -> bool:
    """Insert one row unless it clashes with a stored one; whether it was inserted."""
    statement = _returning_key(model, db.get_bind().dialect.name)
    return db.execute(statement, values).first() is not None


@functools.cache
def _returning_key(model: type[Base], dialect: str) -> Insert:
    # RETURNING, not the rowcount: a driver need not report it for an INSERT
    table = Base.metadata.tables[model.__tablename__]
    return _insert_or_ignore(model, dialect).returning(*table.primary_key)


SQLITE_BUSY_TIMEOUT_MS = 15_000  # how long a writer waits for another to finish


def _sqlite_pragmas(busy_timeout_ms: int) -> Callable[[Any, Any], None]:
    def apply(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return apply


PING_AFTER_IDLE_SECONDS = 1.0
_IDLE_SINCE = "liaison_idle_since"


def _ping_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection before use only if it sat idle for ``idle_seconds``.

    A connection the server dropped (a restart, an idle timeout on the way) is found and
    replaced before a request uses it, as ``pool_pre_ping`` does; but a connection handed
    back a moment ago is not pinged again: under load that ping was one more round trip
    on every request. A fresh connection is never pinged.
    """

    @event.listens_for(engine, "checkin")
    def checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # the pool replaces it (and every connection made before it) and tries again
            raise InvalidatePoolError(f"pooled connection lost: {error}") from None


def make_engine(
    url: str,
    *,
    sqlite_busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    ping_after_idle_seconds: float = PING_AFTER_IDLE_SECONDS,
) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas(sqlite_busy_timeout_ms))
        return engine
    engine = create_engine(url)
    _ping_after_idle(engine, ping_after_idle_seconds)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A transaction for a job or CLI command: commit on success, roll back on error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# PostgreSQL: serialization_failure, deadlock_detected. The server rolled the whole
# transaction back, so running it again from the start is safe.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
SQLITE_BUSY_SNAPSHOT = 517  # a reader's snapshot went stale before it could write
TRANSACTION_ATTEMPTS = 4


def is_retryable(exc: BaseException) -> bool:
    """A serialisation failure or deadlock: the transaction is lost and may be re-run."""
    if not isinstance(exc, DBAPIError) or exc.orig is None:
        return False
    orig = exc.orig
    if getattr(orig, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    return getattr(orig, "sqlite_errorcode", None) == SQLITE_BUSY_SNAPSHOT


def retry_pause(attempt: int) -> float:
    """Seconds to wait before attempt ``attempt + 1``: short, growing, jittered."""
    return float(0.01 * 2**attempt * random.uniform(0.5, 1.5))  # noqa: S311  (not crypto)


def run_in_transaction(
    factory: sessionmaker[Session],
    work: Callable[[Session], T],
    *,
    attempts: int = TRANSACTION_ATTEMPTS,
) -> T:
    """``work`` in a unit of work, re-run from the start (a new session, a new
    transaction) after a serialisation failure or deadlock, at most ``attempts`` times.

    ``work`` must do nothing outside the database that it cannot repeat.
    """
    for attempt in range(1, attempts + 1):
        try:
            with unit_of_work(factory) as session:
                return work(session)
        except DBAPIError as exc:
            if not is_retryable(exc) or attempt == attempts:
                raise
            log.info("transaction attempt %d lost to %s; retrying", attempt, exc.orig)
            time.sleep(retry_pause(attempt))
    raise AssertionError("unreachable")  # pragma: no cover
