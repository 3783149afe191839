"""What a careless or hostile client meets: tokens stop while an account is locked, one
address cannot spray passwords across accounts, X-Forwarded-For is believed only from
trusted proxies, every response carries a strict CSP (HSTS on https), and the API docs
page loads Swagger UI from this node, not a CDN."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import Message, Receive, Scope, Send

from liaison.api.headers import CONTENT_SECURITY_POLICY
from liaison.api.proxies import TrustedProxies
from liaison.app import create_app
from liaison.config import Settings
from liaison.kit.db import unit_of_work
from liaison.kit.errors import TooManyAttempts
from liaison.users import auth
from tests.support.aio import run_off_loop

Headers = Callable[[str], dict[str, str]]


def test_api_token_is_refused_while_its_account_is_locked(
    client: TestClient, auth_headers: Headers, settings: Settings, seeded: sessionmaker[Session]
) -> None:
    token = auth_headers("ca-legal")
    assert client.get("/api/v1/me", headers=token).status_code == 200
    for _ in range(settings.login_max_failures):
        with unit_of_work(seeded) as db:
            auth.check_password(db, settings, "ca-legal", "guess", "10.0.0.9")
    locked = client.get("/api/v1/me", headers=token)
    assert locked.status_code == 429
    assert "too many failed sign-ins for 'ca-legal'" in locked.json()["detail"]
    assert int(locked.headers["retry-after"]) > 0
    assert client.get("/api/v1/me", headers=auth_headers("ca-admin")).status_code == 200


def test_one_address_spraying_passwords_is_throttled_across_accounts(
    settings: Settings, seeded: sessionmaker[Session]
) -> None:
    names = ["ca-admin", "ca-officer", "ca-analyst", "ca-legal", "ca-viewer"]
    for attempt in range(settings.login_source_max_failures):
        with unit_of_work(seeded) as db:  # never enough per account to lock any of them
            auth.check_password(db, settings, names[attempt % 5], "Winter2026!", "203.0.113.7")
    with unit_of_work(seeded) as db, pytest.raises(TooManyAttempts) as throttled:
        auth.check_password(db, settings, "ca-viewer", "liaison-demo-ca-viewer", "203.0.113.7")
    assert "from this address" in str(throttled.value)
    with unit_of_work(seeded) as db:  # the accounts themselves are not locked
        user = auth.check_password(db, settings, "ca-viewer", "liaison-demo-ca-viewer", "10.1.1.1")
        assert user is not None


async def _scope_seen(trusted: list[str], peer: str, headers: list[tuple[bytes, bytes]]) -> Scope:
    """The scope the app behind ``TrustedProxies`` sees for a request from ``peer``."""
    seen: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)

    scope: Scope = {"type": "http", "scheme": "http", "client": (peer, 5000), "headers": headers}

    async def receive() -> Message:
        return {"type": "http.request"}

    async def send(message: Message) -> None:
        return None

    await TrustedProxies(app, trusted)(scope, receive, send)
    return seen[0]


async def _client_seen(trusted: list[str], peer: str, forwarded: str | None) -> str:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return str((await _scope_seen(trusted, peer, headers))["client"][0])


@pytest.mark.parametrize(
    ("trusted", "peer", "forwarded", "client"),
    [
        pytest.param([], "127.0.0.1", "198.51.100.1", "127.0.0.1", id="no proxy trusted"),
        pytest.param(["10.0.0.0/8"], "192.0.2.9", "198.51.100.1", "192.0.2.9", id="untrusted"),
        pytest.param(["10.0.0.0/8"], "10.0.0.2", "198.51.100.1", "198.51.100.1", id="trusted"),
        pytest.param(
            ["10.0.0.0/8"],
            "10.0.0.2",
            "6.6.6.6, 198.51.100.1, 10.0.0.3",
            "198.51.100.1",
            id="spoofed left-most hop ignored",
        ),
        pytest.param(["10.0.0.0/8"], "10.0.0.2", "not-an-ip", "10.0.0.2", id="garbage"),
    ],
)
def test_forwarded_for_is_believed_only_from_trusted_proxies(
    trusted: list[str], peer: str, forwarded: str, client: str
) -> None:
    assert run_off_loop(_client_seen(trusted, peer, forwarded)) == client


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
    """Behind a TLS proxy the node builds https URLs (TAXII discovery, redirects)."""
    headers = [(b"x-forwarded-proto", proto.encode())]
    assert run_off_loop(_scope_seen(trusted, peer, headers))["scheme"] == scheme


def test_every_response_has_a_strict_csp_and_the_docs_load_from_this_node(
    client: TestClient, auth_headers: Headers
) -> None:
    for path in ("/api/docs", "/healthz", "/api/v1/parties", "/login", "/no-such-page"):
        response = client.get(path)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "strict-transport-security" not in response.headers
    docs = client.get("/api/docs").text
    assert "cdn" not in docs.lower()
    assert "<script>" not in docs  # no inline script: only src= files from /static
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert client.get(f"/static/vendor/swagger-ui-5.36.0/{asset}").status_code == 200
    assert client.get("/static/swagger-init.js").status_code == 200


def test_hsts_when_the_public_url_is_https(
    settings: Settings, seeded: sessionmaker[Session]
) -> None:
    bind = seeded.kw["bind"]
    engine: Engine = bind if isinstance(bind, Engine) else bind.engine
    https = settings.model_copy(update={"public_base_url": "https://liaison.example.gc.ca"})
    with TestClient(create_app(https, engine=engine, session_factory=seeded)) as secure:
        hsts = secure.get("/healthz").headers["strict-transport-security"]
    assert hsts.startswith("max-age=31536000")
