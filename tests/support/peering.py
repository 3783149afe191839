"""Pin a peer in-process with a real, freshly generated key pair (no network), and hold
its agencies as the directory exchange leaves them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from liaison import domains
from liaison.config import Settings
from liaison.directory import seed_data
from liaison.federation import peers
from liaison.federation.schemas import KeysDocument, PeerCreate, PublicKeyOut
from liaison.kit import clock
from liaison.kit.crypto import NodeKeyPair, b64e
from liaison.kit.db import unit_of_work
from liaison.kit.ids import new_id
from liaison.kit.plugin import InboundContext
from liaison.models import Agency


def keys_document(party: str, pair: NodeKeyPair) -> KeysDocument:
    public = pair.public
    return KeysDocument(
        party=party,
        node=f"liaison-{party.lower()}",
        keys=[
            PublicKeyOut(
                key_id=public.key_id,
                fingerprint=public.fingerprint(),
                verify_key=b64e(public.verify_key),
                encryption_key=b64e(public.encryption_key),
                not_before=public.not_before,
                not_after=public.not_after,
                current=True,
            )
        ],
    )


def pin_peer(db: Session, party: str, own_party: str = "CA") -> NodeKeyPair:
    """Pin ``party`` as a peer of this node; returns the peer's key pair."""
    now = clock.now()
    pair = NodeKeyPair.generate(now - timedelta(days=1), now + timedelta(days=365))
    data = PeerCreate.model_validate(
        {
            "party_code": party,
            "base_url": f"http://{party.lower()}.invalid",
            "fingerprint": pair.public.fingerprint(),
        }
    )
    peers.add_peer(db, own_party, data, keys_document(party, pair))
    return pair


def pin_peer_with_agencies(db: Session, party: str = "IN", own_party: str = "CA") -> NodeKeyPair:
    """Pin ``party`` and add its demo agencies as if it had published them; flushed."""
    for seed in seed_data.AGENCIES[party]:
        db.add(
            Agency(
                party_code=party,
                name=seed.name,
                acronym=seed.acronym,
                mandate_areas=list(seed.mandate_areas),
                origin_node=f"liaison-{party.lower()}",
            )
        )
    pair = pin_peer(db, party, own_party)
    db.flush()
    return pair


def apply_inbound(
    factory: sessionmaker[Session],
    settings: Settings,
    message_type: str,
    payload: dict[str, Any],
    *,
    sender: str = "IN",
    seq: int = 1,
) -> None:
    """Apply a payload from ``sender`` with its registered handler, as the inbox does once
    it has verified the envelope, in its own transaction."""
    handler = domains.registry().handler_for(message_type)
    assert handler is not None, message_type
    context = InboundContext(
        settings=settings,
        sender_party=sender,
        sender_node=f"liaison-{sender.lower()}",
        envelope_id=new_id(),
        seq=seq,
        registry=domains.registry(),
    )
    with unit_of_work(factory) as db:
        handler(db, context, payload)
