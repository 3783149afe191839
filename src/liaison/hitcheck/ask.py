"""The querying side: blind, ask the peer over the channel, bring the copy of its index
up to date, unblind and look the tags up. Learns hit / no hit per identifier, nothing else.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.federation import direct, keys
from liaison.federation import envelope as env
from liaison.federation.delivery import recipient_key
from liaison.hitcheck import psi, wire
from liaison.kit import clock
from liaison.kit.crypto import PublicNodeKey
from liaison.kit.db import insert_or_ignore
from liaison.kit.errors import InvalidEnvelope, LiaisonError
from liaison.kit.plugin import N_
from liaison.models import HitcheckPeerSync, HitcheckPeerTag, Peer


class PeerUnavailable(LiaisonError):
    status = 502
    code = "peer_unavailable"
    title = N_("The peer did not answer the check")


NEVER = datetime(1970, 1, 1, tzinfo=UTC)
FRESH = timedelta(minutes=1)  # ``synced_at`` is kept to this precision (one write a minute)


@dataclass(frozen=True)
class Asked:
    query_id: str
    tags: list[bytes]  # one per key asked, in order


def ask(
    db: Session,
    settings: Settings,
    http: httpx.Client,
    peer: Peer,
    keys_asked: Sequence[str],
    purpose: str,
    legal_basis: str,
) -> Asked:
    """One round trip: blinded keys out; evaluated points and the index delta back."""
    sync = db.get(HitcheckPeerSync, peer.party_code)
    if sync is None:
        sync = HitcheckPeerSync(
            peer_party=peer.party_code, epoch=0, version=0, size=0, synced_at=NEVER
        )
        db.add(sync)
    blinded = psi.Blinded(keys_asked)
    signer = keys.keypair(db, settings)
    peer_key = keys.public_of(recipient_key(db, peer))
    query = wire.QueryPayload(
        purpose=purpose,
        legal_basis=legal_basis,
        points=wire.pack(blinded.points),
        epoch=sync.epoch,
        version=sync.version,
    )
    sealed = direct.seal(settings, wire.QUERY, query, signer, peer, peer_key)
    query_id = env.parse(sealed, len(sealed)).header.id
    answer = _post(settings, http, peer, sealed)
    payload = _open(db, settings, peer, answer, peer_key)
    if payload.query_id != query_id:
        raise PeerUnavailable(f"the peer answered query {payload.query_id}, not {query_id}")
    _apply(db, sync, payload)
    try:
        tags = blinded.tags(wire.unpack(payload.points, psi.POINT_BYTES))
    except ValueError as error:
        raise PeerUnavailable(f"the peer's answer is malformed: {error}") from None
    return Asked(query_id, tags)


def _post(settings: Settings, http: httpx.Client, peer: Peer, sealed: bytes) -> bytes:
    try:
        response = http.post(
            f"{peer.base_url.rstrip('/')}{wire.PATH}",
            content=sealed,
            headers={"Content-Type": "application/json"},
            timeout=settings.federation_timeout_seconds,
        )
    except httpx.HTTPError as error:
        raise PeerUnavailable(f"peer {peer.party_code} is unreachable: {error}") from None
    if response.status_code != 200:
        detail = response.text[:300]
        with contextlib.suppress(ValueError):
            detail = str(response.json().get("detail", detail))
        raise PeerUnavailable(
            f"peer {peer.party_code} refused the check (HTTP {response.status_code}): {detail}"
        )
    return response.content


def _open(
    db: Session, settings: Settings, peer: Peer, raw: bytes, peer_key: PublicNodeKey
) -> wire.AnswerPayload:
    try:
        return direct.open_reply(
            db, settings, peer, raw, wire.ANSWER, wire.AnswerPayload, known=peer_key
        )
    except InvalidEnvelope as error:
        raise PeerUnavailable(f"the peer's answer is refused ({error.reason}): {error}") from None


def _apply(db: Session, sync: HitcheckPeerSync, payload: wire.AnswerPayload) -> None:
    party = sync.peer_party
    added = set(wire.unpack(payload.added, psi.TAG_BYTES))
    removed = wire.unpack(payload.removed, psi.TAG_BYTES)
    table = HitcheckPeerTag
    now = clock.now()
    same = (payload.epoch, payload.version) == (sync.epoch, sync.version)
    if same and not (payload.full or added or removed) and now - sync.synced_at < FRESH:
        return  # the copy is current and was confirmed so lately: nothing to write
    if payload.full:
        db.execute(delete(table).where(table.peer_party == party))
    elif removed:
        db.execute(delete(table).where(table.peer_party == party, table.tag.in_(removed)))
    if added:
        rows = [{"peer_party": party, "tag": tag} for tag in added]
        # a concurrent check may have added some already
        db.execute(insert_or_ignore(db, HitcheckPeerTag), rows)
    sync.epoch, sync.version = payload.epoch, payload.version
    if payload.size is not None:
        sync.size = payload.size
    sync.synced_at = now
    db.flush()


def held(db: Session, party: str, tags: Sequence[bytes]) -> set[bytes]:
    """Which of these tags the copy of the peer's index holds."""
    found: set[bytes] = set()
    for start in range(0, len(tags), 500):
        chunk = tags[start : start + 500]
        found.update(db.scalars(_HELD, {"party": party, "tags": chunk}))
    return found


_HELD = select(HitcheckPeerTag.tag).where(
    HitcheckPeerTag.peer_party == bindparam("party"),
    HitcheckPeerTag.tag.in_(bindparam("tags", expanding=True)),
)
