"""Hit/no-hit API under /api/v1/hitcheck, and the peers' /federation/v1/hitcheck."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from liaison.api.deps import DbDep, SettingsDep, client_ip
from liaison.config import Settings
from liaison.hitcheck import answer, confirm, index, wire
from liaison.hitcheck.access import require_admin
from liaison.hitcheck.deps import PeerHttpDep
from liaison.hitcheck.identifiers import Identifier
from liaison.hitcheck.schemas import (
    CheckIn,
    CheckOut,
    ConfirmationOut,
    ConfirmIn,
    IndexStatusOut,
    MatchOut,
)
from liaison.hitcheck.service import HitcheckService
from liaison.kit.db import unit_of_work
from liaison.kit.errors import PayloadTooLarge
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.users.deps import CallerDep

router = APIRouter(tags=["hitcheck"])


@router.post("/api/v1/hitcheck/checks", response_model=CheckOut, summary="Hit/no-hit check")
def check(
    data: CheckIn, db: DbDep, caller: CallerDep, settings: SettingsDep, http: PeerHttpDep
) -> CheckOut:
    return HitcheckService(db, caller, settings, http).check(data)


def status_out(db: DbDep, settings: SettingsDep) -> IndexStatusOut:
    found = index.status(db)
    return IndexStatusOut(
        **found.__dict__, indexed_categories=list(settings.hitcheck_indexed_categories)
    )


@router.get("/api/v1/hitcheck/index", response_model=IndexStatusOut)
def index_status(db: DbDep, caller: CallerDep, settings: SettingsDep) -> IndexStatusOut:
    require_admin(caller)
    return status_out(db, settings)


@router.post("/api/v1/hitcheck/index/rebuild", response_model=IndexStatusOut)
def index_rebuild(db: DbDep, caller: CallerDep, settings: SettingsDep) -> IndexStatusOut:
    require_admin(caller)
    index.rebuild(db, settings)
    return status_out(db, settings)


@router.post("/api/v1/hitcheck/matches", response_model=list[MatchOut])
def find_matches(
    item: Identifier, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> list[MatchOut]:
    """This node's records carrying an identifier a peer's follow-up names."""
    return confirm.matches(db, caller, settings, item)


@router.post("/api/v1/hitcheck/confirmations", response_model=ConfirmationOut, status_code=201)
def confirm_match(
    data: ConfirmIn, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> ConfirmationOut:
    row = confirm.confirm(db, caller, settings, data)
    return ConfirmationOut(id=row.id, message_id=row.message_id, confirmed=row.confirmed)


async def _body(request: Request, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(
                Text(N_("a hit/no-hit query is at most %(limit)s bytes"), limit=limit)
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _answer(request: Request, raw: bytes) -> bytes:
    state = request.app.state
    with unit_of_work(state.session_factory) as db:
        return answer.answer(db, state.settings, state.registry, raw, client_ip(request))


@router.post(wire.PATH, summary="A peer's hit/no-hit query; answers a sealed envelope")
async def peer_query(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    raw = await _body(request, 64 * settings.hitcheck_max_identifiers * 3 + 16_384)
    sealed = await run_in_threadpool(_answer, request, raw)
    return Response(sealed, media_type="application/json")
