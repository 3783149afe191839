"""Compose and send: validation naming the field, policy, outbox, audit, deconfliction."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.kit.ids import new_id
from liaison.models import AuditEntry, Case, OutboxMessage
from tests.exchange import payloads

Headers = Callable[[str], dict[str, str]]


def _field_errors(response_json: dict[str, object]) -> str:
    return json.dumps(response_json)


def test_request_is_sent_to_the_peer_with_markings_and_audited(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    sent = client.post(
        "/api/v1/exchange/cases",
        json=payloads.compose(agencies),
        headers=auth_headers("ca-officer"),
    )
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert message["status"] == "sent"
    assert message["tlp"] == "AMBER"
    assert message["source_reliability"] == "B"
    case = client.get(
        f"/api/v1/exchange/cases/{message['case_id']}", headers=auth_headers("ca-officer")
    ).json()
    assert re.fullmatch(r"CA-\d{4}-000001", case["reference"])
    with unit_of_work(seeded) as db:
        envelope = db.scalar(select(OutboxMessage).where(OutboxMessage.type == "exchange.message"))
        assert envelope is not None
        assert envelope.peer_party == "IN"
        payload = json.loads(envelope.payload)
        assert payload["case_id"] == message["case_id"]
        assert payload["markings"]["legal_basis"] == "police_cooperation"
        actions = set(db.scalars(select(AuditEntry.action)))
    assert {"exchange.message.send", "policy.decision"} <= actions


def test_bad_input_is_refused_naming_the_field(
    client: TestClient, auth_headers: Headers, agencies: dict[str, str]
) -> None:
    headers = auth_headers("ca-officer")
    cases = {
        "to_agency_id": payloads.compose(
            agencies, to_agency_id="0190c2a4-0000-7000-8000-000000000000"
        ),
        "legal_basis": payloads.compose(agencies, markings=payloads.markings(legal_basis=None)),
        "cas": payloads.compose(agencies, entities=[{**payloads.PRECURSOR, "cas": "125541-22-3"}]),
        "iban": payloads.compose(
            agencies, entities=[{**payloads.IBAN, "iban": "GB82 WEST 1234 5698 7654 33"}]
        ),
        "number": payloads.compose(agencies, entities=[{"kind": "phone", "number": "+91 123"}]),
    }
    for field, body in cases.items():
        refused = client.post("/api/v1/exchange/cases", json=body, headers=headers)
        assert refused.status_code == 422, (field, refused.text)
        assert field in _field_errors(refused.json()), (field, refused.text)
    listed = client.get("/api/v1/exchange/inbox", headers=headers).json()
    assert listed["items"] == []


def test_deconfliction_finds_the_open_case_with_the_same_container(
    client: TestClient, auth_headers: Headers, agencies: dict[str, str]
) -> None:
    headers = auth_headers("ca-officer")
    first = client.post("/api/v1/exchange/cases", json=payloads.compose(agencies), headers=headers)
    assert first.status_code == 201, first.text
    draft = {"entities": [{**payloads.CONTAINER, "container": "mscu 123456-6"}]}
    hits = client.post("/api/v1/exchange/deconflict", json=draft, headers=headers)
    assert hits.status_code == 200, hits.text
    assert {h["case_id"] for h in hits.json()} == {first.json()["case_id"]}
    assert any(h["key"].startswith("shipment:container:") for h in hits.json())
    assert hits.json()[0]["case_reference"].startswith("CA-")
    key = next(h["key"] for h in hits.json() if h["key"].startswith("shipment:container:"))
    by_key = client.get("/api/v1/exchange/deconflict", params={"keys": key}, headers=headers)
    assert by_key.json()[0]["case_id"] == first.json()["case_id"]
    none = client.get(
        "/api/v1/exchange/deconflict", params={"keys": "phone:+15550000"}, headers=headers
    )
    assert none.json() == []


def test_inbox_filters_search_and_pages(
    client: TestClient, auth_headers: Headers, agencies: dict[str, str]
) -> None:
    headers = auth_headers("ca-officer")
    for n in range(5):
        body = payloads.compose(
            agencies, subject=f"Shipment number {n}", priority="low" if n % 2 else "high"
        )
        assert client.post("/api/v1/exchange/cases", json=body, headers=headers).status_code == 201
    page = client.get("/api/v1/exchange/inbox", params={"limit": 2}, headers=headers).json()
    assert [i["subject"] for i in page["items"]] == ["Shipment number 4", "Shipment number 3"]
    following = client.get(
        "/api/v1/exchange/inbox",
        params={"limit": 2, "cursor": page["next_cursor"]},
        headers=headers,
    ).json()
    assert [i["subject"] for i in following["items"]] == ["Shipment number 2", "Shipment number 1"]
    low = client.get("/api/v1/exchange/inbox", params={"priority": "low"}, headers=headers).json()
    assert {i["subject"] for i in low["items"]} == {"Shipment number 1", "Shipment number 3"}
    found = client.get("/api/v1/exchange/inbox", params={"search": "NUMBER 2"}, headers=headers)
    assert [i["subject"] for i in found.json()["items"]] == ["Shipment number 2"]
    by_entity = client.get(
        "/api/v1/exchange/inbox", params={"search": "mscu1234566"}, headers=headers
    )
    assert len(by_entity.json()["items"]) == 5
    bad = client.get("/api/v1/exchange/inbox", params={"cursor": "nonsense"}, headers=headers)
    assert bad.status_code == 422
    assert "cursor" in bad.text


def test_viewer_sees_no_exchange_content(
    client: TestClient, auth_headers: Headers, agencies: dict[str, str]
) -> None:
    sent = client.post(
        "/api/v1/exchange/cases",
        json=payloads.compose(agencies),
        headers=auth_headers("ca-officer"),
    )
    viewer = auth_headers("ca-viewer")
    assert client.get("/api/v1/exchange/inbox", headers=viewer).json()["items"] == []
    case = client.get(f"/api/v1/exchange/cases/{sent.json()['case_id']}", headers=viewer)
    assert case.status_code == 404
    refused = client.post("/api/v1/exchange/cases", json=payloads.compose(agencies), headers=viewer)
    assert refused.status_code == 403


def test_a_taken_case_reference_is_skipped_not_a_server_error(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    """Concurrent composes can pick the same next number; the loser takes the next one."""
    year = clock.now().year
    with unit_of_work(seeded) as db:  # number 2 taken while only one case exists
        db.add(
            Case(
                id=new_id(),
                reference=f"CA-{year}-000002",
                title="Taken earlier",
                summary="",
                parties=["CA", "IN"],
                origin_party="CA",
                status="open",
                created_by="user:ca-officer",
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )
    sent = client.post(
        "/api/v1/exchange/cases",
        json=payloads.compose(agencies),
        headers=auth_headers("ca-officer"),
    )
    assert sent.status_code == 201, sent.text
    case = client.get(
        f"/api/v1/exchange/cases/{sent.json()['case_id']}", headers=auth_headers("ca-officer")
    ).json()
    assert case["reference"] == f"CA-{year}-000003"
