"""This node's key generations: create, load (unsealed with the secret key), rotate."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.kit import clock
from liaison.kit.crypto import NodeKeyPair, PublicNodeKey, b64d, seal_private, unseal_private
from liaison.kit.errors import ConfigurationError
from liaison.models import NodeKey, PeerKey

DEFAULT_VALIDITY = timedelta(days=365)

_unsealed: dict[tuple[str, bytes], NodeKeyPair] = {}


def public_of(row: NodeKey | PeerKey) -> PublicNodeKey:
    """The public half of a key generation: this node's own or a peer's."""
    return PublicNodeKey(
        key_id=row.key_id,
        verify_key=row.verify_key,
        encryption_key=row.encryption_key,
        not_before=row.not_before,
        not_after=row.not_after,
    )


def decode_public(
    key_id: str, verify_key: str, encryption_key: str, not_before: datetime, not_after: datetime
) -> PublicNodeKey:
    """A key as published (base64url); raises ValueError or ValidationFailed if malformed."""
    return PublicNodeKey(
        key_id=key_id,
        verify_key=b64d(verify_key),
        encryption_key=b64d(encryption_key),
        not_before=not_before,
        not_after=not_after,
    )


def pin_peer_key(peer_party: str, key: PublicNodeKey, source: str) -> PeerKey:
    """A row trusting ``key`` for ``peer_party`` (source: pinned or announced)."""
    return PeerKey(
        key_id=key.key_id,
        peer_party=peer_party,
        verify_key=key.verify_key,
        encryption_key=key.encryption_key,
        not_before=key.not_before,
        not_after=key.not_after,
        source=source,
    )


def _store(db: Session, settings: Settings, pair: NodeKeyPair) -> NodeKey:
    public = pair.public
    row = NodeKey(
        key_id=public.key_id,
        verify_key=public.verify_key,
        encryption_key=public.encryption_key,
        sealed_private=seal_private(pair, settings.secret_key),
        not_before=pair.not_before,
        not_after=pair.not_after,
        is_current=True,
    )
    db.add(row)
    db.flush()
    return row


def ensure_node_key(db: Session, settings: Settings) -> NodeKey:
    """The current key generation, created on first use."""
    row = db.scalar(select(NodeKey).where(NodeKey.is_current))
    if row is not None:
        return row
    now = clock.now()
    return _store(db, settings, NodeKeyPair.generate(now, now + DEFAULT_VALIDITY))


# Built once: every envelope sealed or opened reads these (building costs more than running).
_BY_ID = select(NodeKey).where(NodeKey.key_id == bindparam("key_id"))
_CURRENT = select(NodeKey).where(NodeKey.is_current.is_(True))
_VALID = (
    select(NodeKey)
    .where(NodeKey.not_before <= bindparam("at"), NodeKey.not_after > bindparam("at"))
    .order_by(NodeKey.created_at.desc())
)


def keypair(db: Session, settings: Settings, key_id: str | None = None) -> NodeKeyPair:
    """A key generation with its private half, unsealed once per process."""
    if key_id is not None and (key_id, settings.secret_key) in _unsealed:
        return _unsealed[(key_id, settings.secret_key)]
    row = db.scalar(_BY_ID, {"key_id": key_id}) if key_id else db.scalar(_CURRENT)
    if row is None:
        raise ConfigurationError(
            f"this node has no key {key_id or '(current)'}: run 'liaison init'"
        )
    cache_key = (row.key_id, settings.secret_key)
    if cache_key not in _unsealed:
        _unsealed[cache_key] = unseal_private(
            row.sealed_private, settings.secret_key, row.not_before, row.not_after
        )
    return _unsealed[cache_key]


def valid_keys(db: Session, at: datetime | None = None) -> list[NodeKey]:
    """Key generations still valid: the current one and retired ones until they expire."""
    at = at or clock.now()
    return list(db.scalars(_VALID, {"at": at}))


def rotate(db: Session, settings: Settings, validity: timedelta = DEFAULT_VALIDITY) -> NodeKey:
    """A new current generation; the old one still verifies until its own expiry."""
    old = ensure_node_key(db, settings)
    db.execute(update(NodeKey).where(NodeKey.is_current).values(is_current=False))
    now = clock.now()
    new = _store(db, settings, NodeKeyPair.generate(now, now + validity))
    db.flush()
    assert old.key_id != new.key_id
    return new
