"""Detached Ed25519 signatures over canonical JSON statements (checkpoints, certificates).

A statement is a JSON object; its signing input is the compact, key-sorted JSON text
of the object, so either party can re-derive it from the stored fields. The public
keys are this node's own generations (``node_keys``) and its peers' (``peer_keys``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import nacl.exceptions
import nacl.signing
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.kit.crypto import NodeKeyPair, b64d, b64e
from liaison.ledger.chain import canonical_json
from liaison.models import NodeKey, PeerKey


def sign(pair: NodeKeyPair, statement: Mapping[str, Any]) -> str:
    message = canonical_json(dict(statement)).encode()
    return b64e(pair.signing_key.sign(message).signature)


def verify_key_of(db: Session, own_party: str, party: str, key_id: str) -> bytes | None:
    """The Ed25519 public key ``key_id`` of ``party`` (this node's own, or a pinned peer's)."""
    if party == own_party:
        return db.scalar(select(NodeKey.verify_key).where(NodeKey.key_id == key_id))
    return db.scalar(
        select(PeerKey.verify_key).where(PeerKey.key_id == key_id, PeerKey.peer_party == party)
    )


def valid(verify_key: bytes | None, statement: Mapping[str, Any], signature: str) -> bool:
    if verify_key is None:
        return False
    try:
        nacl.signing.VerifyKey(verify_key).verify(
            canonical_json(dict(statement)).encode(), b64d(signature)
        )
    except (nacl.exceptions.BadSignatureError, ValueError):
        return False
    return True
