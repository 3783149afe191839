"""The home page is a work queue per role: requests due both ways, held items for legal
reviewers, incidents with an open CERT-In obligation, unread notifications."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from liaison.kit import clock
from tests.exchange import payloads
from tests.exchange.test_web_pages import _form as compose_form

Headers = Callable[[str], dict[str, str]]
HTML = {"Accept": "text/html"}


def _sections(html: str) -> dict[str, str]:
    parts = re.split(r'<section class="card work-section" id="queue-', html)[1:]
    return {part.split('"', 1)[0]: part.split("</section>", 1)[0] for part in parts}


def test_each_role_sees_its_work_with_deadlines(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    receive: Callable[[dict[str, Any]], None],
) -> None:
    officer = auth_headers("ca-officer") | HTML
    two_days_ago = clock.now() - timedelta(days=2)
    clock.set_clock(lambda: two_days_ago)
    incoming = payloads.inbound(agencies, priority="urgent", subject="Subscriber of a number")
    receive(incoming)
    clock.reset_clock()
    sent = client.post(
        "/exchange/compose",
        data=compose_form(agencies, priority="urgent"),
        headers=officer,
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    confirmation = client.get(sent.headers["location"], headers=officer).text
    assert 'id="sent-confirmation"' in confirmation
    assert "Exporter of 4-piperidone consignment" in confirmation.split("sent-confirmation")[1]
    analyst = auth_headers("ca-analyst") | HTML
    incident = client.post(
        "/cyber/incidents",
        data={
            "title": "Ransomware at a port operator",
            "severity": "high",
            "detected_at": clock.now().strftime("%Y-%m-%dT%H:%M") + "Z",
            "reportable_cert_in": "true",
        },
        headers=analyst,
        follow_redirects=False,
    )
    assert incident.status_code == 303, incident.text

    home = _sections(client.get("/", headers=officer).text)
    assert "reviews" not in home  # not a legal reviewer's queue
    requests = home["requests"]
    assert "Subscriber of a number" in requests  # theirs, to answer: overdue
    assert re.search(r"\(overdue by (39|40) h\)", requests)  # urgent: 8 h, received 2 d ago
    assert "Exporter of 4-piperidone consignment" in requests  # ours, answer expected
    assert "our request" in requests
    assert re.search(r"\(due in [78] h\)", requests)  # by the 8 h urgent window
    assert "Ransomware at a port operator" in home["incidents"]
    assert "due in 5 h" in home["incidents"] or "due in 6 h" in home["incidents"]

    legal = _sections(client.get("/", headers=auth_headers("ca-legal") | HTML).text)
    assert set(legal) >= {"reviews", "requests", "incidents", "notifications"}
    viewer = _sections(client.get("/", headers=auth_headers("ca-viewer") | HTML).text)
    assert "requests" not in viewer
    assert "proposals" not in viewer
    assert "notifications" in viewer
