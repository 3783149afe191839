"""Federation HTTP: the inbox peers post to, this node's public keys, and (for
operators) peers and the message log under /api/v1."""

from __future__ import annotations

import threading
import time
from typing import IO, Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import IntegrityError, OperationalError
from starlette.concurrency import run_in_threadpool

from liaison.api.deps import DbDep, client_ip
from liaison.federation import control, keys, metrics, peers, resync, stream
from liaison.federation.access import require_operator
from liaison.federation.inbox import Inbox, Outcome
from liaison.federation.log import MessageLogQuery, message_log
from liaison.federation.schemas import (
    KeysDocument,
    MessageLogEntry,
    PeerStatus,
    PingRequest,
    PublicKeyOut,
)
from liaison.federation.throttle import UNATTRIBUTED, RefusalThrottle, Suppressed
from liaison.kit.crypto import b64e
from liaison.kit.db import unit_of_work
from liaison.kit.errors import InvalidEnvelope, PayloadTooLarge, ServiceUnavailable
from liaison.users.deps import CallerDep

router = APIRouter(tags=["federation"])
MAX_BATCH = 500
CONFLICT_RETRIES = 5

# One inbound transaction at a time per process: sequence checks must see the
# previous envelope committed (PostgreSQL adds a row lock on the peer across processes).
_inbox_lock = threading.Lock()

REFUSAL_STATUS = {
    "malformed": 400,
    "too_large": 413,
    "sequence_gap": 409,
    "replay": 409,
    "unknown_type": 422,
    "invalid_payload": 422,
    "decrypt_failed": 422,
    "policy_refused": 422,
    "rate_limited": 429,
}


@router.get("/federation/v1/keys", response_model=KeysDocument)
def public_keys(request: Request, db: DbDep) -> KeysDocument:
    settings = request.app.state.settings
    return KeysDocument(
        party=settings.party,
        node=settings.node_name,
        keys=[
            PublicKeyOut(
                key_id=row.key_id,
                fingerprint=keys.public_of(row).fingerprint(),
                verify_key=b64e(row.verify_key),
                encryption_key=b64e(row.encryption_key),
                not_before=row.not_before,
                not_after=row.not_after,
                current=row.is_current,
            )
            for row in keys.valid_keys(db)
        ],
    )


def _throttle(request: Request) -> RefusalThrottle:
    state = request.app.state
    if getattr(state, "federation_throttle", None) is None:
        state.federation_throttle = RefusalThrottle(state.settings.federation_refusals_per_minute)
    throttle: RefusalThrottle = state.federation_throttle
    return throttle


def _read(inbox: Inbox, body: IO[bytes], batch: bool, max_bytes: int) -> list[Outcome]:
    if not batch:
        outcomes = [inbox.receive(stream.single(body, inbox.admit, max_bytes))]
    else:
        # A first pass over the headers only (ciphertexts skipped) names the ids to
        # look up in one query; the second pass receives (reusing the headers read).
        inbox.expect(stream.envelope_headers(body, max_bytes, MAX_BATCH))
        body.seek(0)
        outcomes = [
            inbox.receive(item)
            for item in stream.envelopes(body, inbox.admit, max_bytes, MAX_BATCH)
        ]
    inbox.finish()
    return outcomes


def _receive_all(request: Request, body: IO[bytes], batch: bool) -> list[Outcome]:
    """Read and apply envelopes one at a time in one transaction. A write conflict with
    another process (an operator's command on the same SQLite file) rolls everything
    back; try again. A body that breaks the grammar rolls back what was read of it."""
    factory = request.app.state.session_factory
    settings = request.app.state.settings
    for attempt in range(1, CONFLICT_RETRIES + 1):
        body.seek(0)
        try:
            with _inbox_lock, unit_of_work(factory) as db:
                inbox = Inbox(db, settings, request.app.state.registry, client_ip(request))
                outcomes = _read(inbox, body, batch, settings.federation_max_envelope_bytes)
            break
        except stream.Malformed as exc:
            what = "batch" if batch else "envelope"
            raise InvalidEnvelope("malformed", f"the {what} is malformed: {exc}") from exc
        except (IntegrityError, OperationalError) as exc:
            if attempt == CONFLICT_RETRIES:
                raise ServiceUnavailable(
                    f"inbox busy, retry shortly ({type(exc).__name__})"
                ) from exc
            time.sleep(0.05 * attempt)
    for outcome in outcomes:
        metrics.record_inbound(outcome.status, outcome.reason)
    return outcomes


def _refuse_request(request: Request, error: InvalidEnvelope) -> Outcome:
    with unit_of_work(request.app.state.session_factory) as db:
        state = request.app.state
        outcome = Inbox(db, state.settings, state.registry, client_ip(request)).refuse(
            error.reason, error.detail
        )
    metrics.record_inbound(outcome.status, outcome.reason)
    return outcome


def _throttled(request: Request) -> Outcome:
    with unit_of_work(request.app.state.session_factory) as db:
        state = request.app.state
        outcome = Inbox(db, state.settings, state.registry, client_ip(request)).throttled()
    metrics.record_inbound(outcome.status, outcome.reason)
    return outcome


def _log_suppressed(request: Request, suppressed: Suppressed) -> None:
    with unit_of_work(request.app.state.session_factory) as db:
        state = request.app.state
        Inbox(db, state.settings, state.registry, suppressed.source).log_suppressed(
            suppressed.count, suppressed.since.isoformat()
        )


def _receipt_response(outcome: Outcome) -> Response:
    status = 200 if outcome.status != "refused" else REFUSAL_STATUS.get(outcome.reason or "", 403)
    return JSONResponse(outcome.receipt, status_code=status)


async def _receive(request: Request, batch: bool) -> list[Outcome] | Outcome:
    """Receipts for the envelopes of a request, or one receipt refusing all of it."""
    source = client_ip(request)
    throttle = _throttle(request)
    admitted, finished = throttle.admit(source)
    if finished is not None:
        await run_in_threadpool(_log_suppressed, request, finished)
    if not admitted:
        return await run_in_threadpool(_throttled, request)
    settings = request.app.state.settings
    limit = settings.federation_max_batch_bytes if batch else settings.federation_max_envelope_bytes
    body: IO[bytes] | None = None
    try:
        body = await stream.spool(request.stream(), limit)
        outcomes = await run_in_threadpool(_receive_all, request, body, batch)
    except InvalidEnvelope as error:
        throttle.refused(source)
        return await run_in_threadpool(_refuse_request, request, error)
    finally:
        if body is not None:
            body.close()
    if all(o.status == "refused" and o.reason in UNATTRIBUTED for o in outcomes):
        throttle.refused(source)
    return outcomes


@router.post("/federation/v1/inbox", summary="Receive one envelope; answers a signed receipt")
async def inbox(request: Request) -> Response:
    answer = await _receive(request, batch=False)
    return _receipt_response(answer if isinstance(answer, Outcome) else answer[0])


@router.post("/federation/v1/inbox/batch", summary="Receive envelopes in order; receipts in order")
async def inbox_batch(request: Request) -> Response:
    answer = await _receive(request, batch=True)
    if isinstance(answer, Outcome):
        return _receipt_response(answer)
    return JSONResponse({"receipts": [o.receipt for o in answer]})


RESYNC_MAX_BYTES = 16_384


def _resync(request: Request, raw: bytes) -> bytes:
    state = request.app.state
    with _inbox_lock, unit_of_work(state.session_factory) as db:
        return resync.answer(db, state.settings, state.registry, raw, client_ip(request))


@router.post(resync.PATH, summary="A restored peer asks for a resync; answers a sealed envelope")
async def resync_request(request: Request) -> Response:
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > RESYNC_MAX_BYTES:
            raise PayloadTooLarge(f"a resync request is at most {RESYNC_MAX_BYTES} bytes")
    sealed = await run_in_threadpool(_resync, request, raw)
    return Response(sealed, media_type="application/json")


@router.get("/api/v1/peers", response_model=list[PeerStatus])
def list_peers(db: DbDep, caller: CallerDep) -> list[PeerStatus]:
    require_operator(caller)
    return [peers.peer_status(db, peer) for peer in peers.list_peers(db)]


@router.post(
    "/api/v1/peers/{party}/ping",
    response_model=MessageLogEntry,
    status_code=202,
    summary="Queue a ping to a peer; its signed receipt shows in the message log",
)
def ping_peer(
    party: Annotated[str, Path(pattern=r"^[A-Za-z]{2}$")],
    data: PingRequest,
    db: DbDep,
    caller: CallerDep,
) -> MessageLogEntry:
    require_operator(caller)
    message = control.ping(db, peers.get_peer(db, party).party_code, data.data)
    return MessageLogEntry(
        direction="out",
        id=message.id,
        peer=message.peer_party,
        seq=message.seq,
        type=message.type,
        status="queued",
        reason=None,
        created_at=message.created_at,
        settled_at=None,
        attempts=0,
        detail=None,
        has_receipt=False,
    )


@router.get("/api/v1/messages", response_model=list[MessageLogEntry])
def messages(
    db: DbDep, caller: CallerDep, query: Annotated[MessageLogQuery, Query()]
) -> list[MessageLogEntry]:
    require_operator(caller)
    return message_log(db, query)


@router.get("/metrics", include_in_schema=False)
def prometheus_metrics(db: DbDep) -> Response:
    return Response(metrics.render(db), media_type="text/plain; version=0.0.4; charset=utf-8")
