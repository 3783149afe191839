"""The answering side: authenticate a peer's query, evaluate its points, send the delta.

The channel's own checks (``Inbox.authenticate``: addressed here, pinned peer, valid
signing key, signature, clock window) run first; a query id seen before is a replay
and is refused; the peer's daily quota is checked. The answer is audited with the
count, purpose and legal basis only: this side never sees an identifier.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.federation import direct, keys
from liaison.federation import envelope as env
from liaison.federation.inbox import Inbox
from liaison.hitcheck import index, psi, wire
from liaison.kit import clock
from liaison.kit.db import insert_new
from liaison.kit.errors import InvalidEnvelope, LiaisonError
from liaison.kit.plugin import N_, Registry
from liaison.ledger.service import record
from liaison.models import HitcheckAnswer


class QuotaExceeded(LiaisonError):
    status = 429
    code = "quota_exceeded"
    title = N_("Quota exceeded")


def _refuse(db: Session, sender: str, reason: str, detail: str) -> InvalidEnvelope:
    direct.record_refusal(db, sender, "hitcheck.query.refused", "hitcheck.query", sender, reason)
    return InvalidEnvelope(reason, detail)


def answer(
    db: Session, settings: Settings, registry: Registry, raw: bytes, remote_addr: str
) -> bytes:
    """One sealed query in, one sealed answer out (or an ``InvalidEnvelope``)."""
    try:
        parsed = env.parse(raw, settings.federation_max_envelope_bytes)
        if parsed.header.type != wire.QUERY:
            raise InvalidEnvelope("unknown_type", f"expected {wire.QUERY}")
        peer, sender_key = Inbox(db, settings, registry, remote_addr).authenticate(parsed)
    except InvalidEnvelope as error:
        raise _refuse(db, "", error.reason, error.detail) from None
    header = parsed.header
    own = keys.keypair(db, settings, header.recipient.key)
    try:
        query = direct.payload_of(wire.QueryPayload, env.decrypt(parsed, own, sender_key))
    except InvalidEnvelope as error:
        raise _refuse(db, peer.party_code, error.reason, error.detail) from None
    points = wire.unpack(query.points, psi.POINT_BYTES)
    if len(points) > settings.hitcheck_max_identifiers:
        raise _refuse(
            db, peer.party_code, "too_many", f"at most {settings.hitcheck_max_identifiers}"
        )
    answered = {  # the query id is the key: a replay (even one racing its original) clashes
        "id": header.id,
        "peer_party": peer.party_code,
        "purpose": query.purpose,
        "legal_basis": query.legal_basis,
        "count": len(points),
        "received_at": clock.now(),
    }
    if not insert_new(db, HitcheckAnswer, answered):
        raise _refuse(db, peer.party_code, "replayed", f"query {header.id} was answered before")
    _check_peer_quota(db, settings, peer.party_code, len(points))  # rolled back if refused
    current = index.state(db)
    evaluated = psi.evaluate(index.key_of(settings, current.epoch), points)
    delta = index.delta(db, current, query.epoch, query.version)
    record(
        db,
        actor=f"node:{peer.party_code}",
        action="hitcheck.query.answered",
        object_type="hitcheck.query",
        object_id=header.id,
        detail={
            "count": len(points),
            "purpose": query.purpose,
            "legal_basis": query.legal_basis,
        },
    )
    payload = wire.AnswerPayload(
        query_id=header.id,
        points=wire.pack(evaluated),
        epoch=delta.epoch,
        version=delta.version,
        full=delta.full,
        added=wire.pack(delta.added),
        removed=wire.pack(delta.removed),
        size=delta.size,
    )
    return direct.seal(settings, wire.ANSWER, payload, own, peer, sender_key)


_USED = select(func.coalesce(func.sum(HitcheckAnswer.count), 0)).where(
    HitcheckAnswer.peer_party == bindparam("party"),
    HitcheckAnswer.received_at >= bindparam("since"),
)


def _check_peer_quota(db: Session, settings: Settings, party: str, count: int) -> None:
    """The peer's last 24 hours, this query (already recorded) included."""
    since = clock.now() - timedelta(days=1)
    used = int(db.scalar(_USED, {"party": party, "since": since}) or 0) - count
    if used + count > settings.hitcheck_peer_daily_quota:
        _refuse(db, party, "quota_exceeded", "the peer's daily quota is used up")
        raise QuotaExceeded(
            f"peer {party} has used {used} of its {settings.hitcheck_peer_daily_quota} "
            "identifiers for 24 hours"
        )
