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
followed by one multi-row ``INSERT``: two statements per audited transaction, no read.
If another process (or a rolled-back test transaction) moved the head meanwhile, the
update matches no row; the head is then read under its lock (``SELECT ... FOR UPDATE``
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
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Engine, and_, bindparam, event, insert, inspect, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, SessionTransaction

from liaison.kit import clock
from liaison.kit.db import Base
from liaison.kit.roles import Caller
from liaison.ledger.chain import canonical_json, entry_hash, format_at
from liaison.models.audit import AuditChainHead, AuditEntry

HEAD_ID = 1
# Peers and node keys are managed from the node's console (cli.context.operator).
OPERATOR = "user:operator"
_PENDING = "audit_pending"
_SEALED = "audit_sealed_head"
_LOG_KEPT = logging.getLogger("liaison.ledger")
_LIMITS = {"actor": 200, "action": 100, "object_type": 100, "object_id": 200, "decision": 40}


@dataclass
class _Queued:
    entry: AuditEntry
    scope: SessionTransaction | None  # the savepoint it was recorded in, if any
    keep: bool  # survives the caller's rollback


_Pending = list[_Queued]
_LOG = Base.metadata.tables[AuditEntry.__tablename__]
_HEAD = Base.metadata.tables[AuditChainHead.__tablename__]
# (attribute name, table column) for every column of the log.
_COLUMNS: list[tuple[str, str]] = [
    (attr.key, attr.columns[0].key) for attr in inspect(AuditEntry).column_attrs
]


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
) -> AuditEntry:
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
    entry = AuditEntry(
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
) -> AuditEntry:
    """``record`` in one short line for the hooks in domain services."""
    return record(
        db,
        actor=actor_of(who),
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail,
    )


Head = tuple[int, str]  # (sequence, head_hash) of the last entry
# The head each engine's process last committed; a guess, checked by _MOVE_HEAD.
_known_heads: WeakKeyDictionary[Engine, Head] = WeakKeyDictionary()
# Built once: building and cache-keying Core statements per commit costs more than running them.
_MOVE_HEAD = (
    update(_HEAD)
    .where(
        and_(
            _HEAD.c.id == HEAD_ID,
            _HEAD.c.sequence == bindparam("old_sequence"),
            _HEAD.c.head_hash == bindparam("old_hash"),
        )
    )
    .values(sequence=bindparam("new_sequence"), head_hash=bindparam("new_hash"))
)
_INSERT_ENTRIES = insert(_LOG)
_READ_HEAD = (
    select(_HEAD.c.sequence, _HEAD.c.head_hash).where(_HEAD.c.id == HEAD_ID).with_for_update()
)


def _chain(pending: _Pending, head: Head) -> list[AuditEntry]:
    sequence, prev_hash = head
    entries = []
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
        entries.append(entry)
    return entries


def _move_head(connection: Connection, old: Head, new: Head) -> bool:
    moved = connection.execute(
        _MOVE_HEAD,
        {
            "old_sequence": old[0],
            "old_hash": old[1],
            "new_sequence": new[0],
            "new_hash": new[1],
        },
    )
    return moved.rowcount == 1


def seal(db: Session) -> list[AuditEntry]:
    """Chain the entries recorded so far in this transaction (flush, no commit).

    Takes the chain lock until the transaction ends; ``commit`` does this by itself.
    """
    pending: _Pending = db.info.pop(_PENDING, [])
    if not pending:
        return []
    db.flush()
    connection = db.connection()
    engine = connection.engine
    head = _known_heads.get(engine) or (-1, "")
    entries = _chain(pending, head)
    last = entries[-1]
    if not _move_head(connection, head, (last.sequence, last.entry_hash)):
        found = connection.execute(_READ_HEAD).one_or_none()
        if found is None:
            raise RuntimeError("audit chain head row is missing: run 'liaison migrate'")
        head = (found[0], found[1])
        entries = _chain(pending, head)
        last = entries[-1]
        if not _move_head(connection, head, (last.sequence, last.entry_hash)):
            raise RuntimeError("the audit chain head moved while it was locked")
    # Core, not the unit of work: the entries are written once, never changed. Several
    # rows go as one multi-row INSERT (SQLAlchemy's "insertmanyvalues").
    rows = [{column: getattr(entry, attr) for attr, column in _COLUMNS} for entry in entries]
    connection.execute(_INSERT_ENTRIES, rows)
    db.info[_SEALED] = (engine, (last.sequence, last.entry_hash))
    return entries


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


def _write_kept(session: Session, entries: list[AuditEntry]) -> None:
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
