"""Controlled deliveries on one node: a controlled-delivery incident opens a case of that
kind with its plan pre-filled; each party authorises only for itself; the consignment
moves only once both have; India's changes arrive over the federation and are checked
the same way; the plan is only for those who may read the whole case."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.kit.ids import new_id
from liaison.kit.plugin import PayloadRefused
from liaison.models import AuditEntry, Case, OutboxMessage
from liaison.precursors.delivery_outbound import send_waiting
from tests.exchange import payloads as exchange_payloads
from tests.support.fixtures_db import Headers
from tests.support.peering import apply_inbound, pin_peer_with_agencies

DELIVERY = {
    "kind": "controlled_delivery",
    "substance_cas": "41661-47-6",
    "quantity": 120,
    "unit": "kg",
    "diversion_method": "mislabelling",
    "location": "Port of Vancouver",
    "occurred_on": "2026-03-02",
    "description": "Container declared as dye intermediates; 4-piperidone confirmed.",
    "exporter": "Vapi Fine Chemicals Pvt Ltd",
    "consignee": "Pacific Freight Consolidators, Richmond BC",
    "container": "MSCU1234566",
    "vessel_imo": "9321483",
}
NCB_AUTHORITY = "Deputy Director General (Operations), Narcotics Control Bureau"


def _open(client: TestClient, headers: dict[str, str], **overrides: Any) -> str:
    incident = client.post(
        "/api/v1/precursors/incidents", json=DELIVERY | overrides, headers=headers
    )
    assert incident.status_code == 201, incident.text
    opened = client.post(
        f"/api/v1/precursors/incidents/{incident.json()['id']}/case", json={}, headers=headers
    )
    assert opened.status_code == 201, opened.text
    return str(opened.json()["case_id"])


def _india(settings: Settings, seeded: sessionmaker[Session], case_id: str, **change: Any) -> None:
    payload = {
        "case_id": case_id,
        "event_id": new_id(),
        "party": "IN",
        "actor": "user:in-officer",
        "at": clock.now().isoformat(),
    } | change
    apply_inbound(seeded, settings, "precursors.delivery", payload)


@pytest.fixture
def india(seeded: sessionmaker[Session]) -> None:
    with unit_of_work(seeded) as db:
        pin_peer_with_agencies(db, "IN")


def test_a_controlled_delivery_is_planned_authorised_by_both_and_delivered(
    client: TestClient,
    seeded: sessionmaker[Session],
    settings: Settings,
    auth_headers: Headers,
    india: None,
) -> None:
    officer = auth_headers("ca-officer")
    case_id = _open(client, officer)
    case = client.get(f"/api/v1/exchange/cases/{case_id}", headers=officer).json()
    assert case["kind"] == "controlled_delivery"
    listed = client.get("/api/v1/exchange/cases", headers=officer).json()
    assert {c["id"]: c["kind"] for c in listed}[case_id] == "controlled_delivery"

    plan_path = f"/api/v1/precursors/deliveries/{case_id}"
    plan = client.get(plan_path, headers=officer).json()
    assert plan["status"] == "proposed"
    assert plan["consignments"] == [{"container": "MSCU1234566", "vessel_imo": "9321483"}]
    assert plan["substance_name"] == "4-Piperidone"
    assert plan["route"][0]["place"] == "Port of Vancouver"
    assert sorted(plan["lead_agencies"]) == ["CA", "IN"]
    assert plan["awaiting"] == ["CA", "IN"]
    assert plan["tlp"] == "AMBER"
    assert [e["action"] for e in plan["timeline"]] == ["plan"]

    # a party records only its own authorisation
    for_india = client.post(
        f"{plan_path}/authorise",
        json={"party": "IN", "authorised_by": NCB_AUTHORITY, "authorised_at": "2026-03-03T08:00Z"},
        headers=officer,
    )
    assert for_india.status_code == 403
    assert "own authorisation" in for_india.text

    # the consignment does not move under watch on one authorisation
    authorised = client.post(
        f"{plan_path}/authorise",
        json={
            "party": "CA",
            "authorised_by": "Superintendent, RCMP Federal Policing, Pacific Region",
            "authorised_at": "2026-03-03T07:30Z",
        },
        headers=officer,
    )
    assert authorised.status_code == 200, authorised.text
    assert authorised.json()["awaiting"] == ["IN"]
    assert "Police Enforcement" in authorised.json()["authorisations"][0]["legal_reference"]
    early = client.post(f"{plan_path}/status", json={"status": "in_transit"}, headers=officer)
    assert early.status_code == 422
    problem = early.json()
    assert problem["errors"][0]["field"] == "status"
    assert "waiting for IN" in problem["errors"][0]["message"]

    # India's node cannot record Canada's authorisation for it
    with pytest.raises(PayloadRefused, match="only its own authorisation"):
        _india(
            settings,
            seeded,
            case_id,
            action="authorise",
            authorisation={
                "party": "CA",
                "authorised_by": NCB_AUTHORITY,
                "authorised_at": "2026-03-03T08:00Z",
            },
        )
    india_authorises = {
        "action": "authorise",
        "authorisation": {
            "party": "IN",
            "authorised_by": NCB_AUTHORITY,
            "authorised_at": "2026-03-03T08:00Z",
        },
    }
    # an authorisation of another version of the plan (one since revised) is refused
    with pytest.raises(PayloadRefused, match="earlier version of the plan"):
        _india(settings, seeded, case_id, **india_authorises, plan_version=new_id())
    drafted = [e["id"] for e in plan["timeline"] if e["action"] == "plan"][-1]
    _india(settings, seeded, case_id, **india_authorises, plan_version=drafted)
    plan = client.get(plan_path, headers=officer).json()
    assert plan["status"] == "authorised"
    assert [a["party"] for a in plan["authorisations"]] == ["CA", "IN"]
    assert "s. 50A" in plan["authorisations"][1]["legal_reference"]

    moved = client.post(
        f"{plan_path}/status",
        json={"status": "in_transit", "note": "Released from the terminal under watch"},
        headers=officer,
    )
    assert moved.status_code == 200, moved.text
    _india(settings, seeded, case_id, action="status", status="delivered")
    plan = client.get(plan_path, headers=officer).json()
    assert plan["status"] == "delivered"
    assert [(e["party"], e["status"]) for e in plan["timeline"]] == [
        ("CA", "proposed"),
        ("CA", "proposed"),
        ("IN", "authorised"),
        ("CA", "in_transit"),
        ("IN", "delivered"),
    ]
    late = client.post(f"{plan_path}/status", json={"status": "aborted"}, headers=officer)
    assert late.status_code == 422
    assert "a delivery that is delivered cannot become aborted" in late.text

    with seeded() as db:
        actions = list(
            db.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.object_id == case_id)
                .order_by(AuditEntry.sequence)
            )
        )
        sent = list(
            db.scalars(
                select(OutboxMessage.type).where(
                    OutboxMessage.peer_party == "IN", OutboxMessage.type == "precursors.delivery"
                )
            )
        )
    assert actions == [
        "precursors.delivery.plan",
        "precursors.delivery.authorise",
        "precursors.delivery.authorise",
        "precursors.delivery.status",
        "precursors.delivery.status",
    ]
    assert len(sent) == 3  # Canada's plan, authorisation and move; not India's own


def test_the_plan_is_only_for_those_who_may_read_the_whole_case(
    client: TestClient, auth_headers: Headers, india: None
) -> None:
    officer = auth_headers("ca-officer")
    case_id = _open(client, officer)
    plan_path = f"/api/v1/precursors/deliveries/{case_id}"
    # an analyst of another agency (CBSA) is not in the case's audience
    assert client.get(plan_path, headers=auth_headers("ca-analyst")).status_code == 404
    assert client.get(plan_path, headers=auth_headers("ca-viewer")).status_code == 404

    # TLP:RED: the legal reviewer routes the case (its title withheld) but never reads the plan
    red_case = _open(client, officer, tlp="RED")
    legal = auth_headers("ca-legal")
    seen = client.get(f"/api/v1/exchange/cases/{red_case}", headers=legal)
    assert seen.status_code == 200
    assert seen.json()["title"] == "[restricted]"
    red_path = f"/api/v1/precursors/deliveries/{red_case}"
    assert client.get(red_path, headers=legal).status_code == 404
    moved = client.post(f"{red_path}/status", json={"status": "aborted"}, headers=legal)
    assert moved.status_code in (403, 404)
    red_plan = client.get(red_path, headers=officer)
    assert red_plan.status_code == 200
    assert red_plan.json()["tlp"] == "RED"


def test_a_plan_is_refused_bad_input_with_the_field_named(
    client: TestClient, auth_headers: Headers, india: None
) -> None:
    officer = auth_headers("ca-officer")
    case_id = _open(client, officer)
    plan_path = f"/api/v1/precursors/deliveries/{case_id}"
    good = {
        "consignments": [{"air_waybill": "176-12345675"}],
        "substance_cas": "41661-47-6",
        "quantity": 120,
        "route": [
            {"place": "Delhi IGI Airport"},
            {"place": "Toronto Pearson", "handover_to": "CA"},
        ],
        "window_start": "2026-03-05",
        "window_end": "2026-03-09",
    }
    saved = client.put(plan_path, json=good, headers=officer)
    assert saved.status_code == 200, saved.text
    assert saved.json()["consignments"] == [{"air_waybill": "176-12345675"}]
    bad_awb = client.put(
        plan_path, json=good | {"consignments": [{"air_waybill": "176-12345676"}]}, headers=officer
    )
    assert bad_awb.status_code == 422
    assert "check digit" in bad_awb.text
    backwards = client.put(plan_path, json=good | {"window_end": "2026-03-01"}, headers=officer)
    assert backwards.status_code == 422
    assert "ends before it starts" in backwards.text
    unknown = client.put(plan_path, json=good | {"substance_cas": "50-00-0"}, headers=officer)
    assert unknown.status_code == 422
    assert "substance register" in unknown.text

    # a seizure's case is a standard one, and carries no plan
    standard = _open(client, officer, kind="seizure")
    case = client.get(f"/api/v1/exchange/cases/{standard}", headers=officer).json()
    assert case["kind"] == "standard"
    refused = client.put(f"/api/v1/precursors/deliveries/{standard}", json=good, headers=officer)
    assert refused.status_code == 422
    assert "controlled-delivery case" in refused.text


def test_a_case_of_a_kind_this_node_does_not_know_is_refused_with_the_reason(
    seeded: sessionmaker[Session], settings: Settings, agencies: dict[str, str]
) -> None:
    payload = exchange_payloads.inbound(agencies, case_kind="joint_surveillance")
    with pytest.raises(ValueError, match="unknown case kind 'joint_surveillance'"):
        apply_inbound(seeded, settings, "exchange.message", payload)
    with seeded() as db:
        assert db.get(Case, payload["case_id"]) is None
    known = exchange_payloads.inbound(agencies, case_kind="controlled_delivery")
    apply_inbound(seeded, settings, "exchange.message", known)
    with seeded() as db:
        case = db.get(Case, known["case_id"])
        assert case is not None
        assert case.kind == "controlled_delivery"


def _outgoing(seeded: sessionmaker[Session]) -> list[str]:
    with seeded() as db:
        query = select(OutboxMessage.type).where(OutboxMessage.peer_party == "IN")
        return list(db.scalars(query.order_by(OutboxMessage.id)))


def test_plan_changes_wait_while_the_case_is_held_for_legal_review(
    client: TestClient,
    seeded: sessionmaker[Session],
    settings: Settings,
    auth_headers: Headers,
    agencies: dict[str, str],
) -> None:
    """India has no case to attach a plan to while the case's first message is held
    (here for a death-penalty assurance: NDPS Act s. 31A); the plan leaves after it."""
    officer = auth_headers("ca-officer")
    body = exchange_payloads.compose(
        agencies, type="disclosure", offences=["ndps_31a_repeat"], case_kind="controlled_delivery"
    )
    held = client.post("/api/v1/exchange/cases", json=body, headers=officer)
    assert held.status_code == 201, held.text
    assert held.json()["status"] == "held_for_review"
    case_id = held.json()["case_id"]
    plan = {
        "consignments": [{"container": "MSCU1234566"}],
        "substance_cas": "41661-47-6",
        "quantity": 40,
        "route": [{"place": "Mundra", "mode": "sea"}, {"place": "Vancouver", "handover_to": "CA"}],
        "window_start": "2026-03-05",
        "window_end": "2026-03-25",
    }
    drafted = client.put(f"/api/v1/precursors/deliveries/{case_id}", json=plan, headers=officer)
    assert drafted.status_code == 200, drafted.text
    with unit_of_work(seeded) as db:
        assert send_waiting(db, settings) == 0
    assert _outgoing(seeded) == []

    legal = auth_headers("ca-legal")
    reviews = client.get("/api/v1/policy/reviews", params={"status": "held"}, headers=legal)
    review = next(r for r in reviews.json() if r["object_id"] == held.json()["id"])
    assurance = {
        "reference": "IN-MHA-2026-DP-014",
        "given_by": "Ministry of Home Affairs, Government of India",
        "given_on": "2026-03-01",
        "party": "IN",
        "text": "The death penalty will not be sought or carried out against the person.",
    }
    recorded = client.post("/api/v1/policy/assurances", json=assurance, headers=legal)
    assert recorded.status_code == 201, recorded.text
    decided = client.post(
        f"/api/v1/policy/reviews/{review['id']}/decide",
        json={
            "status": "approved",
            "reasons": "Assurance recorded",
            "assurance_reference": "IN-MHA-2026-DP-014",
        },
        headers=legal,
    )
    assert decided.status_code == 200, decided.text
    with unit_of_work(seeded) as db:
        assert send_waiting(db, settings) == 1
    assert _outgoing(seeded) == ["exchange.message", "precursors.delivery"]
    with unit_of_work(seeded) as db:
        assert send_waiting(db, settings) == 0  # sent once


def test_revising_an_authorised_plan_withdraws_the_authorisations(
    client: TestClient, auth_headers: Headers, india: None
) -> None:
    officer = auth_headers("ca-officer")
    case_id = _open(client, officer)
    plan_path = f"/api/v1/precursors/deliveries/{case_id}"
    authorised = client.post(
        f"{plan_path}/authorise",
        json={"party": "CA", "authorised_by": "Inspector, CBSA", "authorised_at": "2026-03-03Z"},
        headers=officer,
    )
    assert authorised.status_code == 422  # not an aware date and time
    assert "authorised_at" in authorised.text
    authorised = client.post(
        f"{plan_path}/authorise",
        json={
            "party": "CA",
            "authorised_by": "Inspector, CBSA Pacific Region",
            "authorised_at": "2026-03-03T10:00:00-08:00",
        },
        headers=officer,
    )
    assert authorised.status_code == 200, authorised.text
    again = client.post(
        f"{plan_path}/authorise",
        json={
            "party": "CA",
            "authorised_by": "Inspector, CBSA Pacific Region",
            "authorised_at": "2026-03-03T10:00:00-08:00",
        },
        headers=officer,
    )
    assert again.status_code == 409
    current = authorised.json()
    revised = client.put(
        plan_path,
        json={
            "consignments": current["consignments"],
            "substance_cas": current["substance_cas"],
            "quantity": 90,
            "route": current["route"] + [{"place": "Surrey BC", "mode": "road"}],
            "window_start": current["window_start"],
            "window_end": current["window_end"],
        },
        headers=officer,
    )
    assert revised.status_code == 200, revised.text
    plan = revised.json()
    assert plan["authorisations"] == []
    assert plan["awaiting"] == ["CA", "IN"]
    assert plan["quantity"] == 90
    assert plan["timeline"][-1]["note"].startswith("Revised: the authorisations")
