"""One batch of the sender, without ORM objects: a peer's numbered pending envelopes
read with one Core select, sealed into the batch body, their signed receipts checked,
and the outcome written back with one ``executemany`` (settled rows, or failed rows).

The deliverer (delivery.py) holds the peer's delivery cursor around all of this; here
is only what one batch costs, which a backlog of thousands pays per envelope.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, select, update
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.federation import envelope as env
from liaison.federation import keys, metrics
from liaison.federation.inbox import SEQUENCE_CONSUMING_REASONS
from liaison.kit import clock
from liaison.kit.crypto import NodeKeyPair, PublicNodeKey
from liaison.kit.db import Base
from liaison.kit.plugin import AcceptedHook, Registry
from liaison.models import OutboxMessage, PeerKey

_OUTBOX = Base.metadata.tables[OutboxMessage.__tablename__]


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A numbered, pending outbox row: what sealing and settling it need."""

    id: str
    type: str
    payload: str
    seq: int
    created_at: datetime
    sender_key_id: str
    attempts: int
    next_attempt_at: datetime


_OUTGOING = tuple(Outgoing.__dataclass_fields__)


@lru_cache(maxsize=8)
def _claim_query(limit: int) -> Select[Any]:
    """Built once per batch size: building a statement costs more than running it."""
    c = _OUTBOX.c
    return (
        select(*(c[name] for name in _OUTGOING))
        .where(
            c.peer_party == bindparam("party"),
            c.status == "pending",
            c.seq.is_not(None),
            c.seq > bindparam("after"),
        )
        .order_by(c.seq)
        .limit(limit)
    )


def claim(db: Session, party: str, after: int, limit: int) -> list[Outgoing]:
    """The peer's pending numbered envelopes after sequence ``after``, in order."""
    found = db.execute(_claim_query(limit), {"party": party, "after": after})
    return [Outgoing(*row) for row in found]


def seal_batch(
    db: Session,
    settings: Settings,
    rows: Sequence[Outgoing],
    recipient: PublicNodeKey,
    to: env.NodeRef,
) -> bytes:
    """The batch body: each envelope exactly as ``seal`` wrote it, no re-encoding."""
    senders: dict[str, tuple[NodeKeyPair, env.NodeRef]] = {}
    sent_at = clock.now()
    sealed = []
    for row in rows:
        if row.sender_key_id not in senders:
            pair = keys.keypair(db, settings, row.sender_key_id)
            ref = env.NodeRef(party=settings.party, node=settings.node_name, key=pair.public.key_id)
            senders[row.sender_key_id] = (pair, ref)
        sender, ref = senders[row.sender_key_id]
        header = env.new_header(row.id, row.type, ref, to, row.seq, row.created_at, sent_at)
        sealed.append(env.seal(header, row.payload.encode(), sender, recipient))
    return b'{"envelopes":[' + b",".join(sealed) + b"]}"


@dataclass(frozen=True, slots=True)
class Answer:
    """The peer's verified receipts for a batch, in order, up to the first one that
    leaves its envelope undelivered (``stopped``: that envelope and why)."""

    settled: list[tuple[Outgoing, env.Receipt, Any]]
    stopped: tuple[Outgoing, str] | None


_PEER_KEYS = select(PeerKey).where(PeerKey.peer_party == bindparam("party"))


class DeliveryFailed(Exception):
    pass


def read_answer(db: Session, party: str, rows: Sequence[Outgoing], body: Any) -> Answer:
    """Check the receipts of a batch answer (raises ``DeliveryFailed``/``InvalidEnvelope``)."""
    receipts = body.get("receipts") if isinstance(body, dict) else None
    if not isinstance(receipts, list) or len(receipts) != len(rows):
        raise DeliveryFailed("peer answered without one receipt per envelope")
    peer_keys = {k.key_id: keys.public_of(k) for k in db.scalars(_PEER_KEYS, {"party": party})}
    settled: list[tuple[Outgoing, env.Receipt, Any]] = []
    for row, signed in zip(rows, receipts, strict=True):
        receipt = env.read_receipt(signed)
        key = peer_keys.get(receipt.receiver.key)
        if key is None:
            raise DeliveryFailed(f"receipt signed with unknown key {receipt.receiver.key}")
        env.check_receipt(signed, receipt, key)
        if receipt.envelope_id != row.id:
            raise DeliveryFailed(f"receipt for {receipt.envelope_id} answered envelope {row.id}")
        if receipt.status == "refused" and receipt.reason not in SEQUENCE_CONSUMING_REASONS:
            return Answer(settled, (row, f"{receipt.reason}: {receipt.detail}"))
        settled.append((row, receipt, signed))
    return Answer(settled, None)


_SETTLE = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        delivered_at=bindparam("b_at"),
        receipt=bindparam("b_receipt"),
        receipt_status=bindparam("b_receipt_status"),
        receipt_reason=bindparam("b_reason"),
        last_error=bindparam("b_error"),
    )
)
_FAIL = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id == bindparam("b_id"), _OUTBOX.c.status == "pending")
    .values(
        attempts=bindparam("b_attempts"),
        last_error=bindparam("b_error"),
        next_attempt_at=bindparam("b_next"),
    )
)


def settle(db: Session, party: str, settled: Sequence[tuple[Outgoing, env.Receipt, Any]]) -> None:
    """Mark envelopes delivered (or refused for good) with their signed receipts."""
    if not settled:
        return
    now = clock.now()
    params = []
    outcomes = []
    for row, receipt, signed in settled:
        refused = receipt.status == "refused"
        status = "refused" if refused else "delivered"
        outcomes.append((status, (now - row.created_at).total_seconds()))
        params.append(
            {
                "b_id": row.id,
                "b_status": status,
                "b_at": now,
                "b_receipt": json.dumps(signed),
                "b_receipt_status": receipt.status,
                "b_reason": receipt.reason,
                "b_error": receipt.detail if refused else None,
            }
        )
    db.execute(_SETTLE, params)
    metrics.record_settled(party, outcomes)


def fail(
    db: Session, rows: Sequence[Outgoing], error: str, delay: Callable[[int], timedelta]
) -> None:
    """Count a failed attempt on each row still pending; ``delay(attempts)`` is its wait."""
    if not rows:
        return
    now = clock.now()
    db.execute(
        _FAIL,
        [
            {
                "b_id": row.id,
                "b_attempts": row.attempts + 1,
                "b_error": error[:2000],
                "b_next": now + delay(row.attempts + 1),
            }
            for row in rows
        ],
    )


def follow_up_accepted(
    db: Session,
    registry: Registry,
    party: str,
    settled: Sequence[tuple[Outgoing, env.Receipt, Any]],
) -> None:
    """Hand each domain the envelopes of its types that the peer's signed receipts say
    were accepted (an exchange message becomes "delivered"), in the transaction that
    stores those receipts: a receipt and what follows from it commit together.

    Pending changes (the deliverer's to the peer row) are flushed first: the inbox holds
    that row while its handlers change domain rows, so taking them in the other order
    could deadlock with it."""
    by_type: dict[str, tuple[AcceptedHook, list[str]]] = {}
    for row, receipt, _signed in settled:
        hook = registry.accepted_hook(row.type) if receipt.status == "accepted" else None
        if hook is not None:
            by_type.setdefault(row.type, (hook, []))[1].append(row.payload)
    if by_type:
        db.flush()
    for hook, payloads in by_type.values():
        hook(db, party, payloads)
