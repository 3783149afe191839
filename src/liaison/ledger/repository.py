"""Audit queries: keyset pages newest first, streams oldest first, checkpoints.

The whole log is for administrators (and the node's console): callers check the role
(``require_auditor``) before they get here.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.kit.errors import Forbidden
from liaison.kit.roles import Caller
from liaison.ledger.schemas import AuditQuery, CheckpointOut
from liaison.models import AuditCheckpoint, AuditCountersignature, AuditEntry

STREAM_BATCH = 2000


def require_auditor(caller: Caller) -> None:
    if not caller.is_admin:
        raise Forbidden("only an administrator may read the audit log")


def page(db: Session, query: AuditQuery) -> tuple[list[AuditEntry], int | None]:
    stmt = select(AuditEntry)
    for column, value in (
        (AuditEntry.actor, query.actor),
        (AuditEntry.action, query.action),
        (AuditEntry.object_type, query.object_type),
        (AuditEntry.object_id, query.object_id),
    ):
        if value:
            stmt = stmt.where(column == value)
    if query.before is not None:
        stmt = stmt.where(AuditEntry.sequence < query.before)
    rows = list(db.scalars(stmt.order_by(AuditEntry.sequence.desc()).limit(query.limit + 1)))
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return rows, rows[-1].sequence if more else None


def stream(db: Session, since: int = 0) -> Iterator[AuditEntry]:
    """Every entry after ``since``, oldest first, fetched in batches (flat memory)."""
    result = db.execute(
        select(AuditEntry)
        .where(AuditEntry.sequence > since)
        .order_by(AuditEntry.sequence)
        .execution_options(yield_per=STREAM_BATCH)
    ).scalars()
    for partition in result.partitions():
        yield from partition


def checkpoints(db: Session, limit: int = 100) -> list[CheckpointOut]:
    rows = list(
        db.scalars(
            select(AuditCheckpoint)
            .order_by(AuditCheckpoint.at.desc(), AuditCheckpoint.chain_party)
            .limit(limit)
        )
    )
    signers: dict[str, list[str]] = {}
    if rows:
        for checkpoint_id, party in db.execute(
            select(AuditCountersignature.checkpoint_id, AuditCountersignature.party).where(
                AuditCountersignature.checkpoint_id.in_([r.id for r in rows])
            )
        ):
            signers.setdefault(checkpoint_id, []).append(party)
    return [
        CheckpointOut(
            chain_party=r.chain_party,
            sequence=r.sequence,
            head_hash=r.head_hash,
            at=r.at,
            key_id=r.key_id,
            countersigned_by=sorted(signers.get(r.id, [])),
        )
        for r in rows
    ]
