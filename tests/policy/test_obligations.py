"""Obligations are discharged: the CERT-In report of a disclosure about a cyber incident is
open on the case page and the dashboard until an officer records when it was reported and
CERT-In's reference; the discharge is audited and cannot be recorded twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.models import AuditEntry
from tests.exchange import payloads
from tests.support.web import HTML, sign_in

Headers = Callable[[str], dict[str, str]]
CERT_IN = "in.certin.six_hour_report"


def test_the_cert_in_report_is_open_until_discharged_with_time_and_reference(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    officer = auth_headers("ca-officer")
    noticed = (clock.now() - timedelta(hours=2)).replace(microsecond=0)
    body = payloads.compose(
        agencies,
        type="disclosure",
        offences=["cybercrime"],
        incident_detected_at=noticed.isoformat(),
    )
    sent = client.post("/api/v1/exchange/cases", json=body, headers=officer)
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert CERT_IN in {o["rule_id"] for o in message["obligations"]}
    legal = auth_headers("ca-legal")
    listed = client.get(
        "/api/v1/policy/obligations", params={"object_id": message["id"]}, headers=legal
    )
    [open_one] = listed.json()
    assert open_one["rule_id"] == CERT_IN
    assert open_one["discharged_at"] is None
    assert "No. 20(3)/2022-CERT-In" in open_one["citation"]
    assert open_one["due"].startswith((noticed + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"))

    token = sign_in(client, "ca-officer")
    case_page = f"/exchange/cases/{message['case_id']}"
    page = client.get(case_page, headers=HTML).text
    assert "Not yet discharged" in page
    assert CERT_IN in page
    assert "<strong>1</strong> not yet discharged" in client.get("/workplan", headers=HTML).text

    action = f"{case_page}/obligations/{open_one['id']}/discharge"
    future = client.post(
        action,
        data={"csrf_token": token, "reference": "X", "done_at": "2099-01-01T00:00:00Z"},
        headers=HTML,
    )
    assert future.status_code == 422
    assert "cannot be in the future" in future.text
    done = client.post(
        action,
        data={
            "csrf_token": token,
            "done_at": (noticed + timedelta(hours=1)).isoformat(),
            "reference": "CERTIN-ACK-2026-0457",
            "note": "reported by phone and e-mail",
        },
        headers=HTML,
    )
    assert done.status_code == 200, done.text[:500]  # the redirect, followed
    assert "Discharged" in done.text
    assert "CERTIN-ACK-2026-0457" in done.text
    assert "Not yet discharged" not in done.text
    assert "<strong>0</strong> not yet discharged" in client.get("/workplan", headers=HTML).text

    with unit_of_work(seeded) as db:
        entry = db.scalar(
            select(AuditEntry).where(AuditEntry.action == "policy.obligation.discharge")
        )
        assert entry is not None
        assert entry.rule_ids == [CERT_IN]
        assert entry.object_id == message["id"]
        assert entry.detail["reference"] == "CERTIN-ACK-2026-0457"
        assert entry.detail["late"] is False
    again = client.post(
        f"/api/v1/policy/obligations/{open_one['id']}/discharge",
        json={"reference": "again"},
        headers=officer,
    )
    assert again.status_code == 409
    assert client.get("/api/v1/policy/obligations", headers=legal).json() == []
    assert client.get("/api/v1/policy/obligations", headers=officer).status_code == 403
