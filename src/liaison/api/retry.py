"""Run a request again when its transaction lost a deadlock or serialisation race.

PostgreSQL aborts one transaction of a deadlock (SQLSTATE 40P01) or a serialisation
conflict (40001); the whole transaction was rolled back, so the request changed
nothing and running it again from the start is safe. The problem handler marks the
request (``mark_retryable``) as it renders the 503; this middleware, outside it,
drops that response and replays the request body, a bounded number of times. Only
the last attempt's 503 reaches the client.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from liaison.kit.db import TRANSACTION_ATTEMPTS, is_retryable, retry_pause

_RETRYABLE = "liaison.retryable"
# Bodies larger than this are not held for a replay (an attachment upload, say).
MAX_REPLAY_BYTES = 4 * 1024 * 1024


def mark_retryable(request: Request, exc: BaseException) -> None:
    if is_retryable(exc):
        request.scope[_RETRYABLE] = True


class RetryTransient:
    def __init__(
        self,
        app: ASGIApp,
        attempts: int = TRANSACTION_ATTEMPTS,
        max_replay_bytes: int = MAX_REPLAY_BYTES,
    ) -> None:
        self.app = app
        self.attempts = attempts
        self.max_replay_bytes = max_replay_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more and size <= self.max_replay_bytes:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        attempts = self.attempts if not more else 1
        for attempt in range(1, attempts + 1):
            if await self._attempt(scope, receive, send, body, more, last=attempt == attempts):
                return
            await asyncio.sleep(retry_pause(attempt))

    async def _attempt(
        self, scope: Scope, receive: Receive, send: Send, body: bytes, more: bool, *, last: bool
    ) -> bool:
        """One run of the app; False if its response was dropped for a retry."""
        attempt_scope = dict(scope)
        replayed = False
        dropped = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": more}

        async def guarded_send(message: Message) -> None:
            nonlocal dropped
            if message["type"] == "http.response.start" and not last:
                dropped = bool(attempt_scope.get(_RETRYABLE))
            if not dropped:
                await send(message)

        await self.app(attempt_scope, replay, guarded_send)
        return not dropped
