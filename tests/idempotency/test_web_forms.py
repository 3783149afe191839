"""The compose form carries a one-time submit token: a second submit of the same
form (double click, resend after a timeout) leads to the first case, not a new one."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.models import Message, OutboxMessage
from liaison.web.setup import STATIC_DIR
from tests.exchange import payloads
from tests.exchange.test_web_pages import HTML, _form
from tests.idempotency.test_api_keys import counts

Headers = Callable[[str], dict[str, str]]


def _token(page: str) -> str:
    match = re.search(r'name="submit_token" value="([^"]+)"', page)
    assert match, "the compose form carries a submit token"
    return match.group(1)


def test_double_submit_of_the_compose_form_creates_one_case_and_one_envelope(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    headers = auth_headers("ca-officer") | HTML
    token = _token(client.get("/exchange/compose", headers=headers).text)
    form = _form(agencies, submit_token=token)
    first = client.post("/exchange/compose", data=form, headers=headers, follow_redirects=False)
    second = client.post("/exchange/compose", data=form, headers=headers, follow_redirects=False)
    assert first.status_code == 303, first.text
    assert second.status_code == 303, second.text
    assert second.headers["location"] == first.headers["location"]
    assert counts(seeded) == (1, 1)
    # through htmx the repeat is a full navigation to the same case
    again = client.post("/exchange/compose", data=form, headers=headers | {"HX-Request": "true"})
    assert again.headers["HX-Redirect"] == first.headers["location"]
    assert counts(seeded) == (1, 1)


def test_each_render_has_a_new_token_so_a_second_message_is_sent(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    headers = auth_headers("ca-officer") | HTML
    for _ in range(2):
        token = _token(client.get("/exchange/compose", headers=headers).text)
        sent = client.post(
            "/exchange/compose",
            data=_form(agencies, submit_token=token),
            headers=headers,
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
    assert counts(seeded) == (2, 2)


def test_a_refused_form_keeps_its_token_and_the_corrected_one_sends_once(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    headers = auth_headers("ca-officer") | HTML
    token = _token(client.get("/exchange/compose", headers=headers).text)
    bad = client.post(
        "/exchange/compose", data=_form(agencies, subject="", submit_token=token), headers=headers
    )
    assert bad.status_code == 422
    assert _token(bad.text) == token
    assert counts(seeded) == (0, 0)
    form = _form(agencies, submit_token=token)
    for _ in range(2):
        sent = client.post("/exchange/compose", data=form, headers=headers, follow_redirects=False)
        assert sent.status_code == 303, sent.text
    assert counts(seeded) == (1, 1)


def test_send_button_disables_itself_from_a_static_script(client: TestClient) -> None:
    """No inline JavaScript (the CSP allows scripts from 'self' only)."""
    script = client.get("/static/submit-once.js")
    assert script.status_code == 200
    assert "data-submit-once" in script.text
    assert (Path(STATIC_DIR) / "submit-once.js").is_file()


def test_double_submit_of_a_reply_sends_one_reply_and_forward_has_its_own_token(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    receive: Callable[[dict[str, Any]], None],
    seeded: sessionmaker[Session],
) -> None:
    request = payloads.inbound(agencies)
    receive(request)
    headers = auth_headers("ca-officer") | HTML
    case = f"/exchange/cases/{request['case_id']}"
    tokens = re.findall(
        r'name="submit_token" value="([^"]+)"', client.get(case, headers=headers).text
    )
    assert len(set(tokens)) == 2  # reply, forward
    reply = {
        "message_id": request["id"],
        "type": "reply",
        "outcome": "answered",
        "body": "The subscriber is J. Doe.",
        "submit_token": tokens[0],
    }
    for _ in range(2):
        sent = client.post(f"{case}/reply", data=reply, headers=headers, follow_redirects=False)
        assert sent.status_code == 303, sent.text
        assert sent.headers["location"] == case
    forward = {
        "forward_of": request["id"],
        "to_agency_id": agencies["CA:CBSA"],
        "note": "For your action",
        "submit_token": tokens[1],
    }
    forwarded = client.post(
        f"{case}/forward", data=forward, headers=headers, follow_redirects=False
    )
    assert forwarded.status_code == 303, forwarded.text
    with unit_of_work(seeded) as db:
        kinds = sorted(
            db.scalars(select(Message.type).where(Message.case_id == request["case_id"]))
        )
        envelopes = db.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.type == "exchange.message")
        )
    assert kinds == ["disclosure", "reply", "request"]  # one reply, one (local) forward
    assert envelopes == 1  # the reply; the forward stays in Canada


def test_a_policy_blocked_send_frees_its_token_for_the_corrected_form(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    """The block is kept in the audit trail, but nothing was sent: same token, fixed
    markings, one case."""
    headers = auth_headers("ca-officer") | HTML
    token = _token(client.get("/exchange/compose", headers=headers).text)
    blocked = client.post(
        "/exchange/compose",
        data=_form(agencies, handling_code="evidence", submit_token=token),
        headers=headers,
    )
    assert blocked.status_code == 403
    assert _token(blocked.text) == token
    sent = client.post(
        "/exchange/compose",
        data=_form(agencies, submit_token=token),
        headers=headers,
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"].startswith("/exchange/cases/")
    assert counts(seeded) == (1, 1)
