"""Append to the audit log, in the caller's transaction.

The chain head is one row (``audit_chain_head``, id 1). ``record`` first bumps its
sequence with ``UPDATE ... RETURNING``: on PostgreSQL that takes the row lock (a
concurrent writer waits, then re-reads the committed head: READ COMMITTED), on SQLite
it takes the database write lock. The lock is held until the caller commits, so
sequences have no gaps (a rolled-back transaction gives its number back) and the
chain cannot fork. Call ``record`` late in a transaction: audited writers queue here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from liaison.audit.chain import canonical_json, entry_hash, format_at
from liaison.kit import clock
from liaison.models.audit import AuditChainHead, AuditEntry

HEAD_ID = 1
_LIMITS = {"actor": 200, "action": 100, "object_type": 100, "object_id": 200, "decision": 40}


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
    """Append one entry to the chain (flush, no commit) and return it.

    ``actor``: "user:<username>" | "node:<party code>" | "system". ``detail`` is a
    small JSON-able dict: identifiers and reasons, never personal-data bodies.
    """
    for name, value in (
        ("actor", actor),
        ("action", action),
        ("object_type", object_type),
        ("object_id", object_id),
        ("decision", decision),
    ):
        _check(name, value)
    rule_ids_json = canonical_json([str(rule_id) for rule_id in rule_ids])
    detail_json = canonical_json(dict(detail or {}))
    db.flush()
    head = db.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(sequence=AuditChainHead.sequence + 1)
        .returning(AuditChainHead.sequence, AuditChainHead.head_hash)
        .execution_options(synchronize_session=False)
    ).one_or_none()
    if head is None:
        raise RuntimeError("audit chain head row is missing: run 'liaison migrate'")
    sequence, prev_hash = head
    at = clock.now()
    digest = entry_hash(
        sequence,
        format_at(at),
        actor,
        action,
        object_type,
        object_id,
        decision,
        rule_ids_json,
        detail_json,
        prev_hash,
    )
    entry = AuditEntry(
        sequence=sequence,
        at=at,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        decision=decision,
        rule_ids_json=rule_ids_json,
        detail_json=detail_json,
        prev_hash=prev_hash,
        entry_hash=digest,
    )
    db.add(entry)
    db.execute(
        update(AuditChainHead)
        .where(AuditChainHead.id == HEAD_ID)
        .values(head_hash=digest)
        .execution_options(synchronize_session=False)
    )
    db.flush()
    return entry
