"""Signatures over version hashes: each node signs with its Ed25519 node key, every other
node verifies against the key it pinned for that party. A version is accepted when every
party the plan names has signed (both, for a bilateral plan)."""

from __future__ import annotations

import nacl.exceptions
import nacl.signing
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.federation import keys
from liaison.kit import clock
from liaison.kit.crypto import b64d, b64e
from liaison.ledger.service import trail
from liaison.models import NodeKey, PeerKey, WorkplanSignature, WorkplanVersion

SIGNATURE_DOMAIN = b"liaison-workplan-version-v1\x00"


def signed_message(sha256: str) -> bytes:
    return SIGNATURE_DOMAIN + sha256.encode("ascii")


def sign(db: Session, settings: Settings, version: WorkplanVersion) -> WorkplanSignature:
    """This node's signature on ``version`` (created once)."""
    existing = db.scalar(
        select(WorkplanSignature).where(
            WorkplanSignature.version_number == version.number,
            WorkplanSignature.party_code == settings.party,
        )
    )
    if existing is not None:
        return existing
    key_id = keys.ensure_node_key(db, settings).key_id
    pair = keys.keypair(db, settings, key_id)
    signature = pair.signing_key.sign(signed_message(version.sha256)).signature
    row = WorkplanSignature(
        version_number=version.number,
        party_code=settings.party,
        key_id=key_id,
        signature=b64e(signature),
    )
    db.add(row)
    db.flush()
    trail(
        db, f"node:{settings.party}", "workplan.signature.made", "workplan.version",
        str(version.number), party=settings.party, key_id=key_id, sha256=version.sha256,
    )  # fmt: skip
    return row


def verify(db: Session, own_party: str, row: WorkplanSignature, sha256: str) -> bool:
    """Does ``row`` verify over ``sha256`` with the party's known key?"""
    if row.party_code == own_party:
        verify_key = db.scalar(select(NodeKey.verify_key).where(NodeKey.key_id == row.key_id))
    else:
        verify_key = db.scalar(
            select(PeerKey.verify_key).where(
                PeerKey.key_id == row.key_id, PeerKey.peer_party == row.party_code
            )
        )
    if verify_key is None:
        return False
    try:
        nacl.signing.VerifyKey(verify_key).verify(signed_message(sha256), b64d(row.signature))
    except (nacl.exceptions.BadSignatureError, ValueError):
        return False
    return True


def signature_payload(
    version: WorkplanVersion, row: WorkplanSignature, *, relayed: bool = False
) -> dict[str, object]:
    """The payload of a signature; ``relayed`` names the signing party, because the node
    sending it is not the one that signed."""
    payload: dict[str, object] = {
        "version": version.number,
        "sha256": version.sha256,
        "key_id": row.key_id,
        "signature": row.signature,
    }
    if relayed:
        payload["party"] = row.party_code
    return payload


def unsigned(db: Session, version: WorkplanVersion, parties: list[str]) -> list[str]:
    """The plan's parties whose signature on ``version`` this node does not hold yet."""
    signed = set(
        db.scalars(
            select(WorkplanSignature.party_code).where(
                WorkplanSignature.version_number == version.number
            )
        )
    )
    return [party for party in parties if party not in signed]


def mark_shared(row: WorkplanSignature) -> None:
    row.shared_at = clock.now()
