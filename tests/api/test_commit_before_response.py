"""The request's transaction is committed before its response starts: a browser that
follows the redirect, or a script that reads its own write, always finds the change."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.models import Agency
from tests.support.aio import run_off_loop

AGENCY = {"party_code": "CA", "name": "Canada Border Services Agency Lab", "acronym": "CBSALAB"}


def test_the_write_is_committed_when_the_response_starts(
    client: TestClient,
    auth_headers: Callable[[str], dict[str, str]],
    seeded: sessionmaker[Session],
) -> None:
    body = json.dumps(AGENCY).encode()
    token = auth_headers("ca-admin")["Authorization"].encode()
    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/api/v1/agencies", "raw_path": b"/api/v1/agencies",
        "query_string": b"", "root_path": "", "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "headers": [(b"authorization", token), (b"content-type", b"application/json"),
                    (b"host", b"testserver")],
    }  # fmt: skip
    seen_at_start: list[tuple[int, bool]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            with unit_of_work(seeded) as db:
                stored = db.scalar(select(Agency.id).where(Agency.acronym == "CBSALAB"))
            seen_at_start.append((message["status"], stored is not None))

    run_off_loop(client.app(scope, receive, send))  # type: ignore[arg-type]
    assert seen_at_start == [(201, True)]
