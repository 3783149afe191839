"""Behind a TLS proxy the node builds https URLs (TAXII discovery, redirects): the scheme
comes from ``X-Forwarded-Proto``, and only when a trusted proxy sent it."""

from __future__ import annotations

import pytest
from starlette.types import Message, Receive, Scope, Send

from liaison.api.proxies import TrustedProxies
from tests.support.aio import run_off_loop


async def _scheme_seen(trusted: list[str], peer: str, proto: str) -> str:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["scheme"])

    scope: Scope = {
        "type": "http",
        "scheme": "http",
        "client": (peer, 5000),
        "headers": [(b"x-forwarded-proto", proto.encode())],
    }

    async def receive() -> Message:
        return {"type": "http.request"}

    async def send(message: Message) -> None:
        return None

    await TrustedProxies(app, trusted)(scope, receive, send)
    return seen[0]


@pytest.mark.parametrize(
    ("trusted", "peer", "proto", "scheme"),
    [
        pytest.param(["127.0.0.2"], "127.0.0.2", "https", "https", id="trusted proxy"),
        pytest.param(["127.0.0.2"], "127.0.0.1", "https", "http", id="untrusted client"),
        pytest.param([], "127.0.0.2", "https", "http", id="no proxy trusted"),
        pytest.param(["127.0.0.2"], "127.0.0.2", "gopher", "http", id="garbage"),
    ],
)
def test_forwarded_proto_is_believed_only_from_trusted_proxies(
    trusted: list[str], peer: str, proto: str, scheme: str
) -> None:
    assert run_off_loop(_scheme_seen(trusted, peer, proto)) == scheme
