"""Hit/no-hit checks for officers: quotas, one round trip to the peer, audited rows.

Services flush; the request (or CLI transaction) commits.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

import httpx
from sqlalchemy import bindparam, case, func, insert, or_, select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.federation.peers import list_peers
from liaison.hitcheck import ask
from liaison.hitcheck.answer import QuotaExceeded
from liaison.hitcheck.identifiers import Category, Identifier, keys_of
from liaison.hitcheck.schemas import CheckIn, CheckOut, Result, RowOut, invalid_row
from liaison.kit import clock
from liaison.kit.errors import Forbidden, LiaisonError, NotFound, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller, Role
from liaison.ledger.service import trail
from liaison.models import HitcheckQuery, Peer

CHECKERS = frozenset({Role.ADMIN, Role.LIAISON_OFFICER, Role.ANALYST})

# Built once: building a statement costs more than running it (a check runs this one).
_RECORD = insert(HitcheckQuery)  # Core: the row is written once, never read back here
_MINE = HitcheckQuery.username == bindparam("username")
_AGENCY = HitcheckQuery.agency_id == bindparam("agency_id")
_USED = select(
    func.coalesce(func.sum(case((_MINE, HitcheckQuery.count), else_=0)), 0),
    func.coalesce(func.sum(case((_AGENCY, HitcheckQuery.count), else_=0)), 0),
).where(or_(_MINE, _AGENCY), HitcheckQuery.created_at >= bindparam("since"))

# Identifier category → the compose form's entity row (kind, value, detail) when it has one.
_COMPOSE_KIND = {
    Category.PHONE: "phone",
    Category.EMAIL: "email",
    Category.PERSON: "person",
    Category.IBAN: "bank_account",
    Category.CRYPTO_WALLET: "crypto_wallet",
    Category.VEHICLE: "vehicle",
    Category.VESSEL: "vessel",
    Category.CONTAINER: "shipment",
}


def follow_up_link(item: Identifier, query_id: str, purpose: str, basis: str) -> str:
    """The exchange compose page, pre-filled: a draft request naming the identifier."""
    what = f"{item.category.value.replace('_', ' ')} {item.value}"
    if item.country:
        what += f" ({item.country})"
    params: list[tuple[str, str]] = [
        ("type", "request"),
        ("case_title", f"Follow-up of hit/no-hit check: {what}"[:300]),
        ("subject", f"Hit on {what}: request for the record"[:300]),
        (
            "body",
            f"Our hit/no-hit check {query_id} answered a hit on {what}. Please confirm the "
            "match and share the record.",
        ),
        ("purpose", purpose),
        ("legal_basis", basis),
    ]
    kind = _COMPOSE_KIND.get(item.category)
    if kind:
        detail = item.date_of_birth.isoformat() if item.date_of_birth else item.currency or ""
        detail = detail or (item.country or "" if kind in {"phone", "vehicle"} else "")
        params += [("entity_kind", kind), ("entity_value", item.value), ("entity_detail", detail)]
    return "/exchange/compose?" + urlencode(params)


class HitcheckService:
    def __init__(self, db: Session, caller: Caller, settings: Settings, http: httpx.Client):
        self.db = db
        self.caller = caller
        self.settings = settings
        self.http = http

    def _peer(self, requested: str | None) -> Peer:
        peers = list_peers(self.db)
        codes = [p.party_code for p in peers]
        if requested:
            if requested.upper() not in codes:
                raise NotFound(
                    Text(N_("%(party)s is not a peer of this node"), party=requested.upper())
                )
            return peers[codes.index(requested.upper())]
        if not peers:
            raise NotFound(N_("this node has no peer to ask: pin one with 'liaison peer add'"))
        if len(peers) > 1:  # bilateral is the default; with several peers, the officer picks
            raise ValidationFailed.on_field(
                "peer",
                Text(
                    N_("this node has several peers: name the one to ask (%(peers)s)"),
                    peers=", ".join(codes),
                ),
            )
        return peers[0]

    def check_quota(self, count: int) -> None:
        """Officer and agency quotas over 24 hours, in one indexed query."""
        used = self.db.execute(
            _USED,
            {
                "username": self.caller.username,
                "agency_id": self.caller.agency_id,
                "since": clock.now() - timedelta(days=1),
            },
        ).one()
        for used_by, limit, refusal in (
            (
                int(used[0]),
                "officer",
                N_(
                    "you checked %(used_by)s of %(quota)s identifiers in 24 hours; %(count)s "
                    "more would exceed the officer quota"
                ),
            ),
            (
                int(used[1]),
                "agency",
                N_(
                    "your agency checked %(used_by)s of %(quota)s identifiers in 24 hours; "
                    "%(count)s more would exceed the agency quota"
                ),
            ),
        ):
            quota = int(getattr(self.settings, f"hitcheck_{limit}_daily_quota"))
            if used_by + count > quota:
                raise QuotaExceeded(Text(refusal, used_by=used_by, quota=quota, count=count))

    def require_checker(self) -> None:
        if self.caller.role not in CHECKERS:
            raise Forbidden(N_("hit/no-hit checks are for officers and analysts"))

    def check(self, data: CheckIn) -> CheckOut:
        self.require_checker()
        if len(data.identifiers) > self.settings.hitcheck_max_identifiers:
            raise ValidationFailed.on_field(
                "identifiers",
                Text(
                    N_("at most %(hitcheck_max_identifiers)s per check"),
                    hitcheck_max_identifiers=self.settings.hitcheck_max_identifiers,
                ),
            )
        peer = self._peer(data.peer)
        rows: list[RowOut] = []
        asked: list[tuple[int, list[str]]] = []
        for number, item in enumerate(data.identifiers, start=1):
            try:
                asked.append((number, keys_of(item)))
            except LiaisonError as error:
                rows.append(invalid_row(number, item.category, item.value, error.detail))
        valid = [n for n, _ in asked]
        self.check_quota(len(valid))
        query_id, hits = self._ask(peer, data, asked)
        party = peer.party_code
        for number, item in enumerate(data.identifiers, start=1):
            if number in hits:
                link = follow_up_link(item, query_id or "", data.purpose, data.legal_basis)
                rows.append(_row(number, item, Result.HIT, follow_up=link))
            elif number in valid:
                rows.append(_row(number, item, Result.NO_HIT))
        rows.sort(key=lambda r: r.row)
        self._record(query_id, party, data, len(valid), len(hits))
        return CheckOut(query_id=query_id, peer=party, asked=len(valid), hits=len(hits), rows=rows)

    def _ask(
        self, peer: Peer, data: CheckIn, asked: list[tuple[int, list[str]]]
    ) -> tuple[str | None, set[int]]:
        flat = [key for _, keys in asked for key in keys]
        if not flat:
            return None, set()
        result = ask.ask(
            self.db, self.settings, self.http, peer, flat, data.purpose, data.legal_basis
        )
        found = ask.held(self.db, peer.party_code, result.tags)
        hits: set[int] = set()
        position = 0
        for number, keys in asked:
            if any(tag in found for tag in result.tags[position : position + len(keys)]):
                hits.add(number)
            position += len(keys)
        return result.query_id, hits

    def _record(
        self, query_id: str | None, peer: str, data: CheckIn, count: int, hits: int
    ) -> None:
        if query_id is None:
            return
        self.db.execute(
            _RECORD,
            {
                "id": query_id,
                "peer_party": peer,
                "username": self.caller.username,
                "agency_id": self.caller.agency_id,
                "purpose": data.purpose,
                "legal_basis": data.legal_basis,
                "count": count,
                "hits": hits,
                "created_at": clock.now(),
            },
        )
        trail(
            self.db,
            self.caller,
            "hitcheck.query.sent",
            "hitcheck.query",
            query_id,
            peer=peer,
            count=count,
            hits=hits,
            purpose=data.purpose,
            legal_basis=str(data.legal_basis),
        )


def _row(
    number: int,
    item: Identifier,
    result: Result,
    follow_up: str | None = None,
) -> RowOut:
    return RowOut(
        row=number, category=item.category, value=item.value, result=result, follow_up=follow_up
    )
