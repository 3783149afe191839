"""Pinning peers: a peer's keys are fetched over HTTP and must match the fingerprint
exchanged out of band before anything is sent to it or accepted from it."""

from __future__ import annotations

import ssl
from datetime import datetime

import httpx
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.federation import keys
from liaison.federation.schemas import KeysDocument, PeerCreate, PeerStatus
from liaison.kit import clock
from liaison.kit.crypto import normalise_fingerprint
from liaison.kit.errors import Conflict, NotFound, ServiceUnavailable, ValidationFailed
from liaison.ledger.service import OPERATOR, trail
from liaison.models import DeliveryCursor, InboxMessage, OutboxMessage, Party, Peer


def fetch_keys(
    base_url: str, timeout: float = 10.0, verify: ssl.SSLContext | bool = True
) -> KeysDocument:
    """``verify``: the CA bundle for an https peer (``Settings.http_verify``)."""
    url = f"{base_url.rstrip('/')}/federation/v1/keys"
    try:
        response = httpx.get(url, timeout=timeout, verify=verify)
        response.raise_for_status()
        return KeysDocument.model_validate(response.json())
    except (httpx.HTTPError, ValueError, ValidationError) as exc:
        raise ServiceUnavailable(f"could not read the peer's keys at {url}: {exc}") from exc


def add_peer(db: Session, own_party: str, data: PeerCreate, document: KeysDocument) -> Peer:
    """Pin a peer. ``document`` is what the peer's /federation/v1/keys answered."""
    fingerprint = normalise_fingerprint(data.fingerprint)
    if data.party_code == own_party:
        raise ValidationFailed.on_field("party_code", "a node does not peer with its own party")
    if db.get(Party, data.party_code) is None:
        raise ValidationFailed.on_field(
            "party_code",
            f"unknown party '{data.party_code}': add it to the directory first "
            f"('liaison directory add-party {data.party_code}')",
        )
    if db.get(Peer, data.party_code) is not None:
        raise Conflict.on_field("party_code", f"a peer for {data.party_code} is already pinned")
    if document.party != data.party_code:
        raise ValidationFailed.on_field(
            "base_url", f"that node serves party {document.party}, not {data.party_code}"
        )
    matching = [k for k in document.keys if k.fingerprint == fingerprint]
    if not matching:
        raise ValidationFailed.on_field(
            "fingerprint",
            "no key at that URL has this fingerprint: check it with the peer's operator",
        )
    published = matching[0]
    key = keys.decode_public(
        published.key_id,
        published.verify_key,
        published.encryption_key,
        published.not_before,
        published.not_after,
    )
    if key.fingerprint() != fingerprint:
        raise ValidationFailed.on_field("fingerprint", "the published key does not hash to it")
    if key.not_after <= clock.now():
        raise ValidationFailed.on_field("fingerprint", "that key has expired")
    peer = Peer(
        party_code=data.party_code,
        node_name=document.node,
        base_url=str(data.base_url).rstrip("/"),
        pinned_fingerprint=fingerprint,
        next_out_seq=1,
        last_in_seq=0,
    )
    db.add(peer)
    db.flush()
    db.add(DeliveryCursor(peer_party=peer.party_code))
    db.add(keys.pin_peer_key(peer.party_code, key, "pinned"))
    db.flush()
    trail(db, OPERATOR, "federation.peer.added", "federation.peer", peer.party_code, fp=fingerprint)
    return peer


def get_peer(db: Session, party_code: str) -> Peer:
    peer = db.get(Peer, party_code.upper())
    if peer is None:
        raise NotFound(f"no peer for party {party_code.upper()}")
    return peer


def remove_peer(db: Session, party_code: str) -> None:
    """Unpin a peer; its undelivered envelopes are discarded with it."""
    db.delete(get_peer(db, party_code))
    db.flush()
    trail(db, OPERATOR, "federation.peer.removed", "federation.peer", party_code.upper())


def peer_status(db: Session, peer: Peer) -> PeerStatus:
    def count(query: object) -> int:
        return int(db.scalar(query) or 0)  # type: ignore[call-overload]

    out = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.peer_party == peer.party_code)
    )
    inbound = (
        select(func.count())
        .select_from(InboxMessage)
        .where(InboxMessage.peer_party == peer.party_code)
    )
    oldest: datetime | None = db.scalar(
        select(func.min(OutboxMessage.created_at)).where(
            OutboxMessage.peer_party == peer.party_code, OutboxMessage.status == "pending"
        )
    )
    return PeerStatus.model_validate(
        {
            **{k: getattr(peer, k) for k in PeerStatus.model_fields if hasattr(peer, k)},
            "queue_depth": count(out.where(OutboxMessage.status == "pending")),
            "oldest_undelivered_at": clock.as_utc(oldest) if oldest else None,
            "delivered": count(out.where(OutboxMessage.status == "delivered")),
            "refused_by_peer": count(out.where(OutboxMessage.status == "refused")),
            "received": count(inbound.where(InboxMessage.status == "applied")),
            "refused_here": count(inbound.where(InboxMessage.status == "refused")),
        }
    )


def list_peers(db: Session) -> list[Peer]:
    return list(db.scalars(_PEERS))


_PEERS = select(Peer).order_by(Peer.party_code)  # built once: every check reads it
