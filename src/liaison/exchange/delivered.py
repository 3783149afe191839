"""A message's delivery confirmation: the peer's signed receipt accepting its envelope.

The deliverer runs ``mark_delivered`` (the exchange's ``accepted_hooks`` entry) in the
transaction that stores the receipts, so the receiver sends nothing back for a message.
Releases before 2026-12-08 answered each message with an ``exchange.delivered``
envelope; ``apply_delivered`` still takes one from a peer on such a release.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pydantic import Field
from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session

from liaison.kit.inputs import ID_PATTERN, InputModel
from liaison.kit.plugin import InboundContext
from liaison.models import Message

DELIVERED = "exchange.delivered"
_UNCONFIRMED = ("queued", "sent")


class DeliveredWire(InputModel):
    message_id: str = Field(pattern=ID_PATTERN)


_MARK_DELIVERED = (
    update(Message)
    .where(
        Message.id.in_(bindparam("ids", expanding=True)),
        Message.direction == "out",
        Message.to_party == bindparam("party"),
        Message.status.in_(_UNCONFIRMED),
    )
    .values(status="delivered")
    .execution_options(synchronize_session=False)
)


def mark_delivered(db: Session, party: str, payloads: Sequence[str]) -> None:
    """``party``'s signed receipts accepted these ``exchange.message`` envelopes (the
    receipts are kept on their outbox rows): their messages are delivered."""
    ids = [json.loads(payload)["id"] for payload in payloads]
    db.execute(_MARK_DELIVERED, {"ids": ids, "party": party})


def apply_delivered(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    """An ``exchange.delivered`` envelope from a peer on an earlier release."""
    receipt = DeliveredWire.model_validate(payload)
    message = db.get(Message, receipt.message_id)
    if message is None or message.direction != "out" or message.to_party != context.sender_party:
        return
    if message.status in _UNCONFIRMED:
        message.status = "delivered"
