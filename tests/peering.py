"""Pin a peer in-process with a real, freshly generated key pair (no network)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from liaison.federation import peers
from liaison.federation.schemas import KeysDocument, PeerCreate, PublicKeyOut
from liaison.kit import clock
from liaison.kit.crypto import NodeKeyPair, b64e


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
