"""Alerts and incidents: a seizure is recorded with its quantity and diversion method,
checked against the register, and opens an exchange case with the peer (an alert, its
entities pre-filled); a controlled delivery opens a case named for it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from tests.support.fixtures_db import Headers
from tests.support.peering import pin_peer_with_agencies

SEIZURE = {
    "kind": "seizure",
    "substance_cas": "23056-29-3",
    "quantity": 48,
    "unit": "kg",
    "diversion_method": "mislabelling",
    "location": "Port of Vancouver",
    "occurred_on": "2026-02-17",
    "description": "Declared as a dye intermediate; the CBSA laboratory confirmed 4-AP.",
    "exporter": "Ankleshwar Intermediates LLP",
    "consignee": "Pacific Freight Consolidators, Richmond BC",
    "container": "MSCU 123456-6",
}


def test_a_seizure_becomes_an_alert_case_and_a_controlled_delivery_a_case_named_for_it(
    client: TestClient, seeded: sessionmaker[Session], auth_headers: Headers
) -> None:
    with unit_of_work(seeded) as db:
        pin_peer_with_agencies(db, "IN")
    officer = auth_headers("ca-officer")
    wrong_unit = client.post(
        "/api/v1/precursors/incidents", json=SEIZURE | {"unit": "mL"}, headers=officer
    )
    assert wrong_unit.status_code == 422
    assert "4-AP (4-anilinopiperidine) is a solid" in wrong_unit.text
    created = client.post("/api/v1/precursors/incidents", json=SEIZURE, headers=officer)
    assert created.status_code == 201, created.text
    incident = created.json()
    assert incident["container"] == "MSCU1234566"
    viewer = client.post(
        f"/api/v1/precursors/incidents/{incident['id']}/case",
        json={},
        headers=auth_headers("ca-viewer"),
    )
    assert viewer.status_code == 403
    opened = client.post(
        f"/api/v1/precursors/incidents/{incident['id']}/case",
        json={"note": "Shipper linked to PEN objections in February."},
        headers=officer,
    )
    assert opened.status_code == 201, opened.text
    case = client.get(f"/api/v1/exchange/cases/{opened.json()['case_id']}", headers=officer).json()
    assert case["title"] == "Seizure: 48 kg of 4-AP (4-anilinopiperidine)"
    first = case["messages"][0]
    assert first["type"] == "alert"
    assert first["to_party"] == "IN"
    assert first["offences"] == ["precursor_diversion"]
    kinds = {
        (e["kind"], e.get("name") or e.get("cas") or e.get("container")) for e in first["entities"]
    }
    assert ("shipment", "MSCU1234566") in kinds
    assert ("organisation", "Ankleshwar Intermediates LLP") in kinds
    assert ("chemical", "4-AP (4-anilinopiperidine)") in kinds
    again = client.get(f"/api/v1/precursors/incidents/{incident['id']}", headers=officer).json()
    assert again["case_id"] == case["id"]

    # a controlled delivery opens a case named for it
    delivery = SEIZURE | {"kind": "controlled_delivery", "quantity": 5, "location": "Richmond BC"}
    created = client.post("/api/v1/precursors/incidents", json=delivery, headers=officer).json()
    opened = client.post(
        f"/api/v1/precursors/incidents/{created['id']}/case", json={}, headers=officer
    )
    assert opened.status_code == 201, opened.text
    case = client.get(f"/api/v1/exchange/cases/{opened.json()['case_id']}", headers=officer).json()
    assert case["title"].startswith("Controlled delivery: 5 kg")
    assert case["messages"][0]["type"] == "disclosure"
