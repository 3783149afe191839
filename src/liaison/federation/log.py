"""The message log: what went to and came from each peer, with receipts and refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.federation.schemas import MessageLogEntry, MessageStatus
from liaison.models import InboxMessage, OutboxMessage, Refusal

OUT_STATUSES: dict[str, tuple[str, bool | None]] = {
    # log status -> (outbox status, retried?)
    "queued": ("pending", False),
    "retrying": ("pending", True),
    "delivered": ("delivered", None),
    "refused": ("refused", None),
}


MessageTypeName = Annotated[str, Field(max_length=100, pattern=r"^[a-z0-9_.]+$")]


class MessageLogQuery(BaseModel):
    peer: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")
    direction: Literal["out", "in"] | None = None
    status: MessageStatus | None = None
    type: MessageTypeName | None = None
    hide_types: tuple[MessageTypeName, ...] = ()  # e.g. the audit checkpoints, every minute
    limit: int = Field(default=100, ge=1, le=500)


def _outbound(db: Session, q: MessageLogQuery) -> list[MessageLogEntry]:
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc()).limit(q.limit)
    if q.peer:
        query = query.where(OutboxMessage.peer_party == q.peer.upper())
    if q.type:
        query = query.where(OutboxMessage.type == q.type)
    if q.hide_types:
        query = query.where(OutboxMessage.type.not_in(q.hide_types))
    if q.status:
        if q.status not in OUT_STATUSES:
            return []
        status, retried = OUT_STATUSES[q.status]
        query = query.where(OutboxMessage.status == status)
        if retried is not None:
            query = query.where((OutboxMessage.attempts > 0) == retried)
    return [
        MessageLogEntry(
            direction="out",
            id=row.id,
            peer=row.peer_party,
            seq=row.seq,
            type=row.type,
            status=_out_status(row),
            reason=row.receipt_reason,
            created_at=row.created_at,
            settled_at=row.delivered_at,
            attempts=row.attempts,
            detail=row.last_error,
            has_receipt=row.receipt is not None,
        )
        for row in db.scalars(query)
    ]


def _out_status(row: OutboxMessage) -> MessageStatus:
    if row.status == "pending":
        return "retrying" if row.attempts else "queued"
    return "refused" if row.status == "refused" else "delivered"


def _inbound(db: Session, q: MessageLogQuery) -> list[MessageLogEntry]:
    if q.status not in (None, "applied", "refused"):
        return []
    query = select(InboxMessage).order_by(InboxMessage.received_at.desc()).limit(q.limit)
    if q.peer:
        query = query.where(InboxMessage.peer_party == q.peer.upper())
    if q.type:
        query = query.where(InboxMessage.type == q.type)
    if q.hide_types:
        query = query.where(InboxMessage.type.not_in(q.hide_types))
    if q.status:
        query = query.where(InboxMessage.status == q.status)
    entries = [
        MessageLogEntry(
            direction="in",
            id=row.id,
            peer=row.peer_party,
            seq=row.seq,
            type=row.type,
            status="applied" if row.status == "applied" else "refused",
            reason=row.reason,
            created_at=row.created_at,
            settled_at=row.received_at,
            attempts=1,
            detail=None,
            has_receipt=True,
        )
        for row in db.scalars(query)
    ]
    if q.status in (None, "refused") and not q.type:
        refusals = select(Refusal).order_by(Refusal.received_at.desc()).limit(q.limit)
        if q.peer:
            refusals = refusals.where(Refusal.claimed_party == q.peer.upper())
        entries += [
            MessageLogEntry(
                direction="in",
                id=row.envelope_id or row.id,
                peer=row.claimed_party,
                seq=None,
                type=None,
                status="refused",
                reason=row.reason,
                created_at=None,
                settled_at=row.received_at,
                attempts=1,
                detail=row.detail,
                has_receipt=True,
            )
            for row in db.scalars(refusals)
        ]
    return entries


def _when(entry: MessageLogEntry) -> datetime:
    return entry.settled_at or entry.created_at or datetime.min.replace(tzinfo=UTC)


def message_log(db: Session, q: MessageLogQuery) -> list[MessageLogEntry]:
    entries: list[MessageLogEntry] = []
    if q.direction in (None, "out"):
        entries += _outbound(db, q)
    if q.direction in (None, "in"):
        entries += _inbound(db, q)
    entries.sort(key=_when, reverse=True)
    return entries[: q.limit]
