"""Federation: pinned peers with their channels' health, and the message log.

Only administrators and liaison officers see these pages (as in the API); only an
administrator may queue a ping. The federation package decides everything shown here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from liaison.api.deps import DbDep
from liaison.directory.repository import DirectoryRepository
from liaison.federation import control, keys, peers
from liaison.federation.access import may_operate, require_operator
from liaison.federation.log import MessageLogQuery, message_log
from liaison.federation.schemas import MessageStatus
from liaison.kit import clock
from liaison.kit.crypto import format_fingerprint
from liaison.kit.errors import Forbidden, ValidationFailed
from liaison.kit.inputs import OptionalPartyQuery
from liaison.kit.roles import Caller
from liaison.web.views.common import (
    CsrfFormDep,
    PageCallerDep,
    redirect_after_post,
    render,
    templates,
)

router = APIRouter(prefix="/federation", include_in_schema=False)

LOG_LIMIT = 100

# Filters as a plain GET form submits them: an empty value means "any".
PeerFilter = OptionalPartyQuery
DirectionFilter = Annotated[Literal["", "out", "in"] | None, Query()]
StatusFilter = Annotated[
    Literal["", "queued", "retrying", "delivered", "applied", "refused"] | None, Query()
]
TypeFilter = Annotated[str | None, Query(alias="type", max_length=100, pattern=r"^[a-z0-9_.]*$")]
PeerPath = Annotated[str, Path(pattern=r"^[A-Za-z]{2}$", description="ISO 3166-1 alpha-2")]


CHECKPOINT_TYPES = ("audit.checkpoint", "audit.countersign")


def federation_operator(caller: PageCallerDep) -> Caller:
    require_operator(caller)
    return caller


OperatorDep = Annotated[Caller, Depends(federation_operator)]


def utc_time(value: datetime | None) -> str:
    """``2026-02-07 12:00:05 UTC``: what operators on two continents can compare."""
    if value is None:
        return ""
    return clock.as_utc(value).strftime("%Y-%m-%d %H:%M:%S UTC")


def age(value: datetime | None) -> str:
    """How long ago, coarsely: ``45 s``, ``12 min``, ``3 h``, ``2 days``."""
    if value is None:
        return ""
    seconds = max(int((clock.now() - clock.as_utc(value)).total_seconds()), 0)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 86400:
        return f"{seconds // 3600} h"
    days = seconds // 86400
    return f"{days} day{'s' if days != 1 else ''}"


# Every page extends base.html, whose navigation asks may_operate.
templates.env.globals["may_operate"] = may_operate
templates.env.filters["utc_time"] = utc_time
templates.env.filters["age"] = age
templates.env.filters["format_fingerprint"] = format_fingerprint


@dataclass(frozen=True)
class OwnKey:
    key_id: str
    fingerprint: str
    not_before: datetime
    not_after: datetime
    current: bool


@router.get("")
def federation_home(_caller: OperatorDep) -> Response:
    return RedirectResponse("/federation/peers", status_code=303)


@router.get("/peers")
def peers_page(
    request: Request, db: DbDep, caller: OperatorDep, pinged: OptionalPartyQuery = None
) -> Response:
    own = [
        OwnKey(
            key_id=row.key_id,
            fingerprint=format_fingerprint(keys.public_of(row).fingerprint()),
            not_before=row.not_before,
            not_after=row.not_after,
            current=row.is_current,
        )
        for row in keys.valid_keys(db)
    ]
    repo = DirectoryRepository(db, caller)
    parties = {p.code: p for p in repo.parties()}
    # Peers are few (one per other party): a handful of counts each is fine.
    statuses = [peers.peer_status(db, peer) for peer in peers.list_peers(db)]
    example_party = next((code for code in parties if code != caller.party_code), "XX")
    return render(
        request,
        "peers.html",
        caller=caller,
        own_keys=own,
        peers=statuses,
        parties=parties,
        example_party=example_party,
        may_ping=caller.is_admin,
        pinged=(pinged or "").upper() or None,
    )


@router.post("/peers/{party}/ping")
def ping_peer(
    request: Request, party: PeerPath, db: DbDep, caller: OperatorDep, form: CsrfFormDep
) -> Response:
    if not caller.is_admin:
        raise Forbidden("only an administrator may ping a peer")
    peer = peers.get_peer(db, party)
    control.ping(db, peer.party_code, "ping from web")
    return redirect_after_post(request, f"/federation/peers?pinged={peer.party_code}")


@router.get("/messages")
def messages_page(
    request: Request,
    db: DbDep,
    caller: OperatorDep,
    peer: PeerFilter = None,
    direction: DirectionFilter = None,
    status: StatusFilter = None,
    message_type: TypeFilter = None,
    checkpoints: bool = False,
) -> Response:
    """The message log; audit checkpoints (one a minute each way) only when asked for,
    or when the type filter names them."""
    hidden = () if checkpoints or message_type else CHECKPOINT_TYPES
    filters = {
        "peer": (peer or "").upper(),
        "direction": direction or "",
        "status": status or "",
        "type": message_type or "",
    }
    try:
        query = MessageLogQuery.model_validate(
            {name: value or None for name, value in filters.items()}
            | {"limit": LOG_LIMIT, "hide_types": hidden}
        )
    except ValidationError as exc:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
        raise ValidationFailed(problems) from exc
    entries = message_log(db, query)
    parties = {p.code: p for p in DirectoryRepository(db, caller).parties()}
    peer_codes = [p.party_code for p in peers.list_peers(db)]
    if filters["peer"] and filters["peer"] not in peer_codes:
        peer_codes.append(filters["peer"])  # e.g. refusals from a party that is not pinned
    return render(
        request,
        "messages.html",
        caller=caller,
        entries=entries,
        filters=filters,
        filtered=any(filters.values()) or checkpoints,
        checkpoints=checkpoints,
        limited=len(entries) >= LOG_LIMIT,
        limit=LOG_LIMIT,
        parties=parties,
        peer_codes=peer_codes,
        statuses=get_args(MessageStatus),
        types=request.app.state.registry.message_types(),
    )
