"""Append to the audit log, in the caller's transaction.

``record`` queues the entry on the session; it joins the chain when the caller's
transaction commits (a ``before_commit`` hook), as the last writes of that
transaction. An entry recorded with ``keep=True`` (a policy refusal or hold) cannot
be undone by its caller: a savepoint that rolls back hands it to the enclosing
transaction, and a transaction that rolls back writes it in a short transaction of
its own right after the rollback (the caller's locks are released by then, so this
is safe on SQLite's single writer and inside a test's outer transaction alike).

The chain head is one row (``audit_chain_head``, id 1). Each process remembers the head
it last committed (per engine), hashes the new entries onto it and moves the head with
one conditional ``UPDATE ... WHERE sequence = <remembered> AND head_hash = <remembered>``
and one multi-row ``INSERT`` (``append_sql``: on PostgreSQL both are one statement, the
insert taking its rows only if the update moved the head), no read. If another process
(or a rolled-back test transaction) moved the head meanwhile, the update matches no row
and nothing is written; the head is then read under its lock (``SELECT ... FOR UPDATE``
on PostgreSQL, the write lock SQLite already holds) and the entries re-hashed onto it.
The conditional update takes the row lock on PostgreSQL (a concurrent committer waits,
then re-checks the condition against the committed head: READ COMMITTED), so sequences
have no gaps (a rolled-back transaction never takes a number), the chain cannot fork,
and the lock is held only for the commit itself: never while the caller takes other row
locks, so audited transactions cannot deadlock on it. An entry recorded inside a
savepoint that rolls back is dropped with it (unless kept).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, event, inspect, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction

from liaison.kit import clock
from liaison.kit.db import Base
from liaison.kit.roles import Caller
from liaison.ledger import append_sql
from liaison.ledger.append_sql import Head
from liaison.ledger.chain import canonical_json, entry_hash, format_at
from liaison.models.audit import AuditChainHead, AuditEntry, AuditJsonFields

HEAD_ID = 1
# Peers and node keys are managed from the node's console (cli.context.operator).
OPERATOR = "user:operator"
_PENDING = "audit_pending"
_SEALED = "audit_sealed_head"
_LOG_KEPT = logging.getLogger("liaison.ledger")
_LIMITS = {"actor": 200, "action": 100, "object_type": 100, "object_id": 200, "decision": 40}


@dataclass(slots=True)
class Recorded(AuditJsonFields):
    """An entry as ``record`` queued it: a plain object, not a mapped ``AuditEntry`` (the
    log is written by ``append_sql``, never through the unit of work). ``sequence``,
    ``prev_hash`` and ``entry_hash`` are set when it joins the chain."""

    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    decision: str | None
    rule_ids_json: str
    detail_json: str
    sequence: int | None = None
    prev_hash: str | None = None
    entry_hash: str | None = None


@dataclass
class _Queued:
    entry: Recorded
    scope: SessionTransaction | None  # the savepoint it was recorded in, if any
    keep: bool  # survives the caller's rollback


_Pending = list[_Queued]
_LOG = Base.metadata.tables[AuditEntry.__tablename__]
_HEAD = Base.metadata.tables[AuditChainHead.__tablename__]
# The entry attribute of each log column, in the table's column order (the append's rows).
_ROW_ATTRIBUTES = tuple(
    {attr.columns[0].key: attr.key for attr in inspect(AuditEntry).column_attrs}[column.name]
    for column in _LOG.columns
)


def _check(name: str, value: str | None) -> None:
    if value is None:
        if name != "decision":
            raise ValueError(f"audit {name} is required")
        return
    if not value or len(value) > _LIMITS[name]:
        raise ValueError(f"audit {name} must be 1..{_LIMITS[name]} characters: {value!r}")


def record(
    db: Session,
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    decision: str | None = None,
    rule_ids: Sequence[str] = (),
    detail: Mapping[str, Any] | None = None,
    keep: bool = False,
) -> Recorded:
    """Append one entry to the chain in the caller's transaction and return it.

    ``keep=True``: the entry reaches the chain even if the caller rolls back (see the
    module notes); for refusals, which must be audited whatever the caller does next.

    ``actor``: "user:<username>" | "node:<party code>" | "system". ``detail`` is a
    small JSON-able dict: identifiers and reasons, never personal-data bodies.
    ``sequence``, ``prev_hash`` and ``entry_hash`` are set when the transaction
    commits (or at once with ``seal(db)``); ``at`` is the time of this call.
    """
    for name, value in (
        ("actor", actor),
        ("action", action),
        ("object_type", object_type),
        ("object_id", object_id),
        ("decision", decision),
    ):
        _check(name, value)
    entry = Recorded(
        at=clock.now(),
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        decision=decision,
        rule_ids_json=canonical_json([str(rule_id) for rule_id in rule_ids]),
        detail_json=canonical_json(dict(detail or {})),
    )
    if keep and not db.in_transaction():
        db.connection()  # begins one, so the caller's rollback is seen and the entry kept
    pending: _Pending = db.info.setdefault(_PENDING, [])
    pending.append(_Queued(entry, db.get_nested_transaction(), keep))
    return entry


def actor_of(who: Caller | str) -> str:
    return who if isinstance(who, str) else f"user:{who.username}"


def trail(
    db: Session, who: Caller | str, action: str, object_type: str, object_id: str, **detail: Any
) -> Recorded:
    """``record`` in one short line for the hooks in domain services."""
    return record(
        db,
        actor=actor_of(who),
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


# The head each engine's process last committed; a guess, checked by the append.
_known_heads: WeakKeyDictionary[Engine, Head] = WeakKeyDictionary()
_READ_HEAD = (
    select(_HEAD.c.sequence, _HEAD.c.head_hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
)


def _chain(pending: _Pending, head: Head) -> Head:
    """Number and hash the entries onto ``head``; returns the new head."""
    sequence, prev_hash = head
    for queued in pending:
        entry = queued.entry
        sequence += 1
        entry.sequence = sequence
        entry.prev_hash = prev_hash
        entry.entry_hash = prev_hash = entry_hash(
            sequence,
            format_at(entry.at),
            entry.actor,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.decision,
            entry.rule_ids_json,
            entry.detail_json,
            entry.prev_hash,
        )
    return sequence, prev_hash


def _append(connection: Connection, pending: _Pending, head: Head) -> Head | None:
    """Chain the entries onto ``head`` and write them; None if the head was not there."""
    new_head = _chain(pending, head)
    rows = [tuple(getattr(item.entry, attr) for attr in _ROW_ATTRIBUTES) for item in pending]
    append = append_sql.for_dialect(connection.dialect, _LOG, _HEAD, HEAD_ID)
    return new_head if append.run(connection, head, new_head, rows) else None


def seal(db: Session) -> list[Recorded]:
    """Chain the entries recorded so far in this transaction (flush, no commit).

    Takes the chain lock until the transaction ends; ``commit`` does this by itself.
    """
    pending: _Pending = db.info.pop(_PENDING, [])
    if not pending:
        return []
    db.flush()
    connection = db.connection()
    engine = connection.engine
    new_head = _append(connection, pending, _known_heads.get(engine) or (-1, ""))
    if new_head is None:  # another process (or a rolled-back transaction) moved the head
        found = connection.execute(_READ_HEAD).one_or_none()
        if found is None:
            raise RuntimeError("audit chain head row is missing: run 'liaison migrate'")
        new_head = _append(connection, pending, (found[0], found[1]))
        if new_head is None:
            raise RuntimeError("the audit chain head moved while it was locked")
    db.info[_SEALED] = (engine, new_head)
    return [item.entry for item in pending]


@event.listens_for(Session, "before_commit")
def _seal_on_commit(session: Session) -> None:
    if not session.in_nested_transaction():
        seal(session)


@event.listens_for(Session, "after_commit")
def _remember_head(session: Session) -> None:
    sealed: tuple[Engine, Head] | None = session.info.pop(_SEALED, None)
    if sealed is not None:
        engine, head = sealed
        _known_heads[engine] = head


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


@event.listens_for(Session, "after_soft_rollback")
def _drop_rolled_back(session: Session, previous_transaction: SessionTransaction) -> None:
    pending: _Pending | None = session.info.get(_PENDING)
    if not pending:
        return
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)
        return
    survivors: _Pending = []
    for item in pending:
        if not _within(item.scope, previous_transaction):
            survivors.append(item)
        elif item.keep:  # handed to the transaction around the savepoint
            parent = previous_transaction.parent
            survivors.append(
                _Queued(item.entry, parent if parent and parent.nested else None, True)
            )
    pending[:] = survivors


def _write_kept(session: Session, entries: list[Recorded]) -> None:
    """Write entries whose caller rolled back, in a short transaction of their own.

    A fresh session on the same bind: the caller's session is mid-rollback and its
    transaction (and every lock it held) has already been released.
    """
    bind = session.get_bind()
    fresh = Session(bind=bind, join_transaction_mode="create_savepoint")
    try:
        with fresh.begin():
            fresh.info[_PENDING] = [_Queued(entry, None, False) for entry in entries]
    except SQLAlchemyError:  # the caller's own error is the one to raise; say this one
        _LOG_KEPT.exception("could not write %d kept audit entries after a rollback", len(entries))
    finally:
        fresh.close()


@event.listens_for(Session, "after_transaction_end")
def _forget_on_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_SEALED, None)  # rolled back: the head did not move
        # After commit nothing is left (sealed); after a rollback or close, the
        # connection is already rolled back, so kept entries can be written now.
        kept = [item.entry for item in session.info.pop(_PENDING, []) if item.keep]
        if kept:
            _write_kept(session, kept)
