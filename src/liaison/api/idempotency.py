"""``Idempotency-Key`` on API POSTs (draft-ietf-httpapi-idempotency-key-header).

For ``POST /api/...`` carrying the header, the middleware fingerprints the request
and puts a ``Pending`` on the scope. Three hooks then run inside the request:

- ``api_caller`` (once the caller is known) claims the key in the request's
  transaction: an earlier outcome of the same key, caller and request is answered
  again as it was (``Idempotent-Replayed: true``) and nothing runs; a different
  request under the same key is 422; one still running is 409.
- ``get_db`` hands its session over instead of committing.
- the middleware, once the response is built, stores its status and body on the
  key's row and commits: the write, the key and the stored answer in one
  transaction, before a byte of the response leaves.

A request that fails (an error raised in the handler) is rolled back with its key:
nothing was done, so the same key may be sent again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liaison.api.problems import api_language
from liaison.api.retry import mark_retryable
from liaison.idempotency import store
from liaison.kit.errors import LiaisonError, ServiceUnavailable
from liaison.kit.i18n import localized
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.models import IdempotencyKey

HEADER = "idempotency-key"
_PENDING = "liaison.idempotency"
_BOUNDARY = re.compile(rb"boundary=\"?([^\";]+)")


class _Replay(LiaisonError):
    """Stops the handler; the middleware answers with the stored first response."""

    status = 200
    code = "idempotent_replay"


@dataclass(frozen=True)
class Answer:
    """The first response, copied out of the row (the session ends before it is sent)."""

    status_code: int
    content_type: str | None
    location: str | None
    body: bytes


@dataclass
class Pending:
    key: str
    fingerprint: str
    method: str
    path: str
    row: IdempotencyKey | None = None
    replay: Answer | None = None
    session: Session | None = field(default=None, repr=False)

    def claim(self, db: Session, caller: Caller) -> None:
        row, fresh = store.claim(
            db,
            principal=f"user:{caller.user_id}",
            channel="api",
            key=self.key,
            request_fingerprint=self.fingerprint,
            method=self.method,
            path=self.path,
        )
        if not fresh:
            assert row.status_code is not None  # a committed API key has its answer
            self.replay = Answer(row.status_code, row.content_type, row.location, row.body or b"")
            raise _Replay("replaying the first response to this idempotency key")
        self.row = row

    def finish(self, status: int, headers: dict[bytes, bytes], body: bytes) -> None:
        """Record the response on the key's row and commit (runs in a worker thread)."""
        session = self.session
        assert session is not None
        try:
            if self.row is not None:
                self.row.status_code = status
                self.row.content_type = headers.get(b"content-type", b"").decode()[:200] or None
                self.row.location = headers.get(b"location", b"").decode()[:500] or None
                self.row.body = body
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            self.session = None

    def abandon(self) -> None:
        """The response never completed: roll the handed-over transaction back."""
        if self.session is not None:
            self.session.rollback()
            self.session.close()
            self.session = None


def pending(request: Request) -> Pending | None:
    found = request.scope.get(_PENDING)
    return found if isinstance(found, Pending) else None


def claim_for(request: Request, db: Session, caller: Caller) -> None:
    """Called by ``api_caller``: claim the request's key, if it carries one."""
    found = pending(request)
    if found is not None and found.row is None:
        found.claim(db, caller)


def _request_fingerprint(scope: Scope, body: bytes) -> str:
    headers = dict(scope["headers"])
    content_type = headers.get(b"content-type", b"")
    match = _BOUNDARY.search(content_type)
    if match:  # a multipart boundary is random per send: not part of the request
        body = body.replace(match.group(1), b"-")
        content_type = content_type.replace(match.group(1), b"-")
    query = scope.get("query_string", b"")
    return store.fingerprint(scope["method"], scope["path"], query, content_type, body)


def _header_key(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == HEADER.encode():
            text: str = bytes(value).decode("latin-1").strip()
            if len(text) >= 2 and text[0] == text[-1] == '"':  # an sf-string
                text = text[1:-1]
            return text
    return None


class IdempotencyKeys:
    """Pure ASGI middleware; sits inside RetryTransient (each attempt starts afresh)."""

    def __init__(self, app: ASGIApp, prefix: str = "/api/") -> None:
        self.app = app
        self.prefix = prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        key = _header_key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        try:
            store.check_key(key)
        except LiaisonError as exc:
            await _send_problem(scope, send, exc, status=400)
            return
        state = Pending(key, _request_fingerprint(scope, body), scope["method"], scope["path"])
        scope[_PENDING] = state
        try:
            await self.app(scope, replay, _Responder(state, scope, send))
        finally:
            await run_in_threadpool(state.abandon)


async def _send_problem(scope: Scope, send: Send, exc: LiaisonError, status: int = 0) -> None:
    """Problem details (RFC 9457) from outside the app's exception handlers."""
    status = status or exc.status
    language = api_language(Request(scope))
    body = json.dumps(
        {
            "type": f"https://liaison.dev/problems/{exc.code}",
            "title": exc.title,
            "status": status,
            "detail": localized(exc.detail, language),
            "code": exc.code,
            "instance": scope.get("path", ""),
        }
    ).encode()
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-language", language.encode()),
    ]
    if status == 503:
        headers.append((b"retry-after", b"2"))
    await _send_whole(send, status, headers, body)


async def _send_whole(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


class _Responder:
    """The ``send`` the app sees: holds the response until its transaction commits."""

    def __init__(self, state: Pending, scope: Scope, send: Send) -> None:
        self.state = state
        self.scope = scope
        self.send = send
        self.start: Message | None = None
        self.chunks: list[bytes] = []
        self.mode = ""  # "", "pass", "hold" or "replay"

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            if self.state.replay is not None:
                self.mode = "replay"
            elif self.state.session is not None:
                self.mode, self.start = "hold", message
                return
            else:
                self.mode = "pass"
        if self.mode == "pass":
            await self.send(message)
        elif self.mode == "replay":
            if message["type"] == "http.response.start":
                await self._replay()
        elif self.mode == "hold" and message["type"] == "http.response.body":
            self.chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                await self._commit_then_send()

    async def _replay(self) -> None:
        row = self.state.replay
        assert row is not None
        headers = [(b"idempotent-replayed", b"true")]
        if row.content_type:
            headers.append((b"content-type", row.content_type.encode()))
        if row.location:
            headers.append((b"location", row.location.encode()))
        await _send_whole(self.send, row.status_code, headers, row.body)

    async def _commit_then_send(self) -> None:
        assert self.start is not None
        body = b"".join(self.chunks)
        status = int(self.start["status"])
        headers = dict(self.start.get("headers", []))
        try:
            await run_in_threadpool(self.state.finish, status, headers, body)
        except SQLAlchemyError as exc:  # the commit failed: nothing was saved
            mark_retryable(Request(self.scope), exc)
            unavailable = ServiceUnavailable(
                N_(
                    "The node's database is busy or unavailable, so nothing was saved. "
                    "Send the request again with the same Idempotency-Key."
                )
            )
            await _send_problem(self.scope, self.send, unavailable)
            return
        await self.send(self.start)
        await self.send({"type": "http.response.body", "body": body, "more_body": False})
