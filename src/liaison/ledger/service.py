"""Append to the audit log, in the caller's transaction.

``record`` queues the entry on the session; it joins the chain when the caller's
transaction commits (a ``before_commit`` hook), as the last writes of that
transaction. The chain head is one row (``audit_chain_head``, id 1): sealing first
bumps its sequence with ``UPDATE ... RETURNING``, which takes the row lock on
PostgreSQL (a concurrent committer waits, then reads the committed head: READ
COMMITTED) and the database write lock on SQLite. So sequences have no gaps (a
rolled-back transaction never takes a number), the chain cannot fork, and the lock
is held only for the commit itself: never while the caller takes other row locks,
so audited transactions cannot deadlock on it. An entry recorded inside a savepoint
that rolls back is dropped with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import event, insert, inspect, update
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
_LIMITS = {"actor": 200, "action": 100, "object_type": 100, "object_id": 200, "decision": 40}

_Pending = list[tuple[AuditEntry, SessionTransaction | None]]
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
) -> AuditEntry:
    """Append one entry to the chain in the caller's transaction and return it.

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
    pending: _Pending = db.info.setdefault(_PENDING, [])
    pending.append((entry, db.get_nested_transaction()))
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


def seal(db: Session) -> list[AuditEntry]:
    """Chain the entries recorded so far in this transaction (flush, no commit).

    Takes the chain lock until the transaction ends; ``commit`` does this by itself.
    """
    pending: _Pending = db.info.pop(_PENDING, [])
    if not pending:
        return []
    db.flush()
    head = db.execute(
        update(_HEAD)
        .where(_HEAD.c.id == HEAD_ID)
        .values(sequence=_HEAD.c.sequence + len(pending))
        .returning(_HEAD.c.sequence, _HEAD.c.head_hash)
    ).one_or_none()
    if head is None:
        raise RuntimeError("audit chain head row is missing: run 'liaison migrate'")
    last, prev_hash = head
    sequence = last - len(pending)
    entries = []
    rows = []
    for entry, _ in pending:
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
        rows.append({column: getattr(entry, attr) for attr, column in _COLUMNS})
    # Core statements, not the unit of work: the entries are written once, never changed.
    db.execute(insert(_LOG), rows)
    db.execute(update(_HEAD).where(_HEAD.c.id == HEAD_ID).values(head_hash=prev_hash))
    return entries


@event.listens_for(Session, "before_commit")
def _seal_on_commit(session: Session) -> None:
    if not session.in_nested_transaction():
        seal(session)


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
    pending[:] = [item for item in pending if not _within(item[1], previous_transaction)]


@event.listens_for(Session, "after_transaction_end")
def _forget_on_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_PENDING, None)
