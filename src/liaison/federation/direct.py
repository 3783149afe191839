"""Direct, unsequenced requests between pinned peers: one sealed envelope POSTed, one
sealed envelope back in the response (the resync after a restore uses it).

Such envelopes carry ``seq`` 1 and are not numbered in the peer's stream: the
receiver authenticates them with the channel's checks (``Inbox.authenticate``) and
answers at once; the sender checks that the answer is signed by the peer it asked.
"""

from __future__ import annotations

import json
from typing import TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.federation import envelope as env
from liaison.federation import keys
from liaison.kit import clock
from liaison.kit.crypto import NodeKeyPair, PublicNodeKey
from liaison.kit.errors import InvalidEnvelope
from liaison.kit.ids import new_id
from liaison.ledger.service import record
from liaison.models import Peer, PeerKey

M = TypeVar("M", bound=BaseModel)


def seal(
    settings: Settings,
    type_: str,
    payload: BaseModel,
    signer: NodeKeyPair,
    peer: Peer,
    peer_key: PublicNodeKey,
    envelope_id: str | None = None,
) -> bytes:
    """One envelope of ``type_`` to ``peer``, signed by this node and encrypted to it."""
    now = clock.now()
    header = env.EnvelopeHeader(
        v=1,
        id=envelope_id or new_id(),
        type=type_,
        sender=env.NodeRef(party=settings.party, node=settings.node_name, key=signer.public.key_id),
        recipient=env.NodeRef(party=peer.party_code, node=peer.node_name, key=peer_key.key_id),
        seq=1,
        created_at=now,
        sent_at=now,
    )
    return env.seal(header, payload.model_dump_json().encode("utf-8"), signer, peer_key)


def payload_of(model: type[M], raw: bytes) -> M:
    try:
        return model.model_validate(json.loads(raw))
    except (ValidationError, ValueError) as error:
        raise InvalidEnvelope(
            "invalid_payload", f"the {model.__name__} is invalid: {error}"
        ) from None


def open_reply(
    db: Session,
    settings: Settings,
    peer: Peer,
    raw: bytes,
    type_: str,
    model: type[M],
    known: PublicNodeKey | None = None,
) -> M:
    """The payload of ``peer``'s sealed answer; raises ``InvalidEnvelope``. ``known``: a
    pinned key of the peer already read (the one the request was sealed to), so an answer
    signed with it needs no lookup."""
    parsed = env.parse(raw, settings.federation_max_envelope_bytes)
    header = parsed.header
    if header.type != type_ or header.sender.party != peer.party_code:
        raise InvalidEnvelope("unexpected", f"not a {type_} from {peer.party_code}")
    sender_key = known if known is not None and known.key_id == header.sender.key else None
    if sender_key is None:
        row = db.scalar(
            select(PeerKey).where(
                PeerKey.peer_party == peer.party_code, PeerKey.key_id == header.sender.key
            )
        )
        if row is None:
            raise InvalidEnvelope("unknown_key", f"key {header.sender.key} is not pinned")
        sender_key = keys.public_of(row)
    env.verify(parsed, sender_key)
    own = keys.keypair(db, settings, header.recipient.key)
    return payload_of(model, env.decrypt(parsed, own, sender_key))


def record_refusal(
    db: Session, party: str, action: str, object_type: str, object_id: str, reason: str
) -> None:
    """A direct request refused, in the audit log whatever happens to the answer: from
    ``party`` (empty if the request did not even say who sent it) about ``object_id``."""
    record(
        db,
        actor=f"node:{party}" if len(party) == 2 else "system",
        action=action,
        object_type=object_type,
        object_id=object_id or "unknown",
        decision="refused",
        detail={"reason": reason[:500]},
        keep=True,
    )
