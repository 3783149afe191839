"""Federation's own message types: ping (channel check) and key announcements."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.federation import keys
from liaison.federation.outbox import enqueue
from liaison.kit.crypto import b64e
from liaison.kit.plugin import InboundContext
from liaison.ledger.service import OPERATOR, trail
from liaison.models import NodeKey, OutboxMessage, PeerKey

PING = "federation.ping"
KEY_ANNOUNCE = "federation.key_announce"


class PingPayload(BaseModel):
    model_config = ConfigDict(extra="forbid")

    data: str = Field(default="", max_length=1_048_576)


class KeyAnnouncement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key_id: str = Field(pattern=r"^[0-9a-f]{16}$")
    verify_key: str
    encryption_key: str
    not_before: datetime
    not_after: datetime


def apply_ping(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    PingPayload.model_validate(payload)  # recorded in the inbox; no other effect


def apply_key_announce(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    announced = KeyAnnouncement.model_validate(payload)
    # Raises ValidationFailed (refused as invalid_payload) if the id does not match.
    key = keys.decode_public(**announced.model_dump())
    if db.get(PeerKey, key.key_id) is None:
        db.add(keys.pin_peer_key(context.sender_party, key, "announced"))


def ping(db: Session, peer_party: str, data: str = "") -> OutboxMessage:
    return enqueue(db, PING, PingPayload(data=data).model_dump(), peers=[peer_party])[0]


def announcement(row: NodeKey) -> dict[str, Any]:
    return KeyAnnouncement(
        key_id=row.key_id,
        verify_key=b64e(row.verify_key),
        encryption_key=b64e(row.encryption_key),
        not_before=row.not_before,
        not_after=row.not_after,
    ).model_dump(mode="json")


def rotate_and_announce(
    db: Session, settings: Settings, validity: timedelta = keys.DEFAULT_VALIDITY
) -> NodeKey:
    """Rotate this node's keys and tell every peer, signed with the key they already trust.

    The announcement is queued before anything signed with the new key, and delivery
    is in sequence order, so a peer always learns the new key before it needs it.
    """
    old = keys.ensure_node_key(db, settings)
    new = keys.rotate(db, settings, validity)
    enqueue(db, KEY_ANNOUNCE, announcement(new), sender_key_id=old.key_id)
    trail(db, OPERATOR, "federation.key.rotated", "federation.key", new.key_id, old=old.key_id)
    return new
