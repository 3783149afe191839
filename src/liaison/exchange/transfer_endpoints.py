"""The peers' /federation/v1/attachments/chunk: one sealed range request, one framed
answer back (exchange/transfer_wire.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from liaison.api.deps import client_ip
from liaison.exchange import transfer_serve
from liaison.exchange import transfer_wire as wire
from liaison.kit.db import unit_of_work
from liaison.kit.errors import PayloadTooLarge

router = APIRouter(tags=["federation"])


def _answer(request: Request, raw: bytes) -> bytes:
    state = request.app.state
    with unit_of_work(state.session_factory) as db:
        return transfer_serve.answer(db, state.settings, state.registry, raw, client_ip(request))


@router.post(wire.PATH, summary="A peer pulls a range of an attachment sent to it (sealed)")
async def attachment_chunk(request: Request) -> Response:
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > wire.MAX_REQUEST_BYTES:
            raise PayloadTooLarge(f"a range request is at most {wire.MAX_REQUEST_BYTES} bytes")
    framed = await run_in_threadpool(_answer, request, bytes(raw))
    return Response(framed, media_type="application/octet-stream")
