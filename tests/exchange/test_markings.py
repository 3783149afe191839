"""Markings enforced on onward sharing: TLP:RED, AMBER+STRICT are policy rules; a refusal
names the rule and its citation, in the answer and in the audit log."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.models import AuditEntry
from tests.exchange import payloads

Headers = Callable[[str], dict[str, str]]


def _refusals(seeded: sessionmaker[Session], message_id: str) -> list[AuditEntry]:
    with unit_of_work(seeded) as db:
        query = select(AuditEntry).where(
            AuditEntry.action == "policy.decision",
            AuditEntry.object_id == message_id,
            AuditEntry.decision == "block",
        )
        return list(db.scalars(query))


def test_red_goes_only_to_named_recipients(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    receive: Callable[[dict[str, Any]], None],
    seeded: sessionmaker[Session],
) -> None:
    named = [agencies["CA:RCMP"], agencies["CA:CBSA"]]
    red = payloads.inbound(agencies, markings=payloads.markings(tlp="RED", named_recipients=named))
    receive(red)
    headers = auth_headers("ca-officer")
    refused = client.post(
        f"/api/v1/exchange/messages/{red['id']}/forward",
        json={"to_agency_id": agencies["CA:CSIS"]},
        headers=headers,
    )
    assert refused.status_code == 403, refused.text
    problem = refused.json()
    assert problem["code"] == "policy_blocked"
    assert [(r["rule_id"], r["citation"]) for r in problem["rules"]] == [
        ("joint.tlp.red_named_recipients", "FIRST Traffic Light Protocol 2.0, TLP:RED")
    ]
    assert "CSIS" in problem["rules"][0]["explanation"]
    [entry] = _refusals(seeded, red["id"])
    assert "joint.tlp.red_named_recipients" in entry.rule_ids
    cited = entry.detail["citations"]["joint.tlp.red_named_recipients"]
    assert cited == "FIRST Traffic Light Protocol 2.0, TLP:RED"
    allowed = client.post(
        f"/api/v1/exchange/messages/{red['id']}/forward",
        json={"to_agency_id": agencies["CA:CBSA"], "note": "for your container targeting"},
        headers=headers,
    )
    assert allowed.status_code == 201, allowed.text
    assert allowed.json()["tlp"] == "RED"
    assert allowed.json()["status"] == "delivered"
    # the analyst (CBSA) now sees it; the viewer's agency never does
    case = client.get(
        f"/api/v1/exchange/cases/{red['case_id']}", headers=auth_headers("ca-analyst")
    )
    assert case.status_code == 200
    assert any(m["subject"].startswith("Fwd:") for m in case.json()["messages"])


def test_amber_strict_stays_in_the_receiving_organisation(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    receive: Callable[[dict[str, Any]], None],
    seeded: sessionmaker[Session],
) -> None:
    strict = payloads.inbound(agencies, markings=payloads.markings(tlp="AMBER+STRICT"))
    receive(strict)
    refused = client.post(
        f"/api/v1/exchange/messages/{strict['id']}/forward",
        json={"to_agency_id": agencies["CA:CBSA"]},
        headers=auth_headers("ca-officer"),
    )
    assert refused.status_code == 403
    assert "AMBER+STRICT" in refused.json()["detail"]
    [entry] = _refusals(seeded, strict["id"])
    assert "joint.tlp.amber_strict_organisation" in entry.rule_ids
    # an AMBER one may go to a partner agency
    amber = payloads.inbound(agencies)
    receive(amber)
    passed = client.post(
        f"/api/v1/exchange/messages/{amber['id']}/forward",
        json={"to_agency_id": agencies["CA:CBSA"]},
        headers=auth_headers("ca-officer"),
    )
    assert passed.status_code == 201, passed.text


def test_red_without_named_recipients_cannot_be_sent(
    client: TestClient, auth_headers: Headers, agencies: dict[str, str]
) -> None:
    body = payloads.compose(agencies, markings=payloads.markings(tlp="RED"))
    refused = client.post("/api/v1/exchange/cases", json=body, headers=auth_headers("ca-officer"))
    assert refused.status_code == 422
    assert "named_recipients" in refused.text


def test_a_reply_to_red_goes_to_its_sender_and_red_to_an_unnamed_agency_is_refused(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    receive: Callable[[dict[str, Any]], None],
) -> None:
    named = [agencies["CA:RCMP"]]
    red = payloads.inbound(agencies, markings=payloads.markings(tlp="RED", named_recipients=named))
    receive(red)
    headers = auth_headers("ca-officer")
    url = f"/api/v1/exchange/messages/{red['id']}/reply"
    # keeping the RED markings: the agency that sent it is one of its participants
    kept = client.post(url, json={"body": "Subscriber identified."}, headers=headers)
    assert kept.status_code == 201, kept.text
    assert kept.json()["status"] == "sent"
    assert agencies["IN:CBI"] in kept.json()["named_recipients"]
    # RED naming someone else: the reply would reach an agency it does not name
    elsewhere = payloads.markings(tlp="RED", named_recipients=[agencies["IN:NCB"]])
    refused = client.post(
        url, json={"body": "Details.", "markings": elsewhere, "type": "follow_up"}, headers=headers
    )
    assert refused.status_code == 403, refused.text
    assert [r["rule_id"] for r in refused.json()["rules"]] == ["joint.tlp.red_named_recipients"]
