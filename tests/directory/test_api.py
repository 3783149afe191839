"""Directory through the real API, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.models import Agency, Officer, OutboxMessage
from tests.support.peering import pin_peer

Headers = Callable[[str], dict[str, str]]


def _agency_id(client: TestClient, headers: dict[str, str], acronym: str) -> str:
    agencies = client.get("/api/v1/agencies", headers=headers).json()
    return next(a["id"] for a in agencies if a["acronym"] == acronym)


def test_seeded_directory_lists_both_parties_and_canadian_agencies(
    client: TestClient, auth_headers: Headers
) -> None:
    headers = auth_headers("ca-viewer")
    parties = client.get("/api/v1/parties", headers=headers).json()
    assert {p["code"]: p["name"] for p in parties} == {"CA": "Canada", "IN": "India"}
    acronyms = {a["acronym"] for a in client.get("/api/v1/agencies", headers=headers).json()}
    assert {"RCMP", "CBSA", "CSIS", "CCCS", "IRCC", "FINTRAC", "PS", "PCO-NSIA"} <= acronyms


def test_admin_adds_updates_and_reads_an_agency(client: TestClient, auth_headers: Headers) -> None:
    headers = auth_headers("ca-admin")
    created = client.post(
        "/api/v1/agencies",
        json={
            "party_code": "ca",
            "name": "Canada Revenue Agency",
            "acronym": "CRA",
            "mandate_areas": ["fraud", "fraud", "organised_crime"],
        },
        headers=headers,
    )
    assert created.status_code == 201, created.text
    agency = created.json()
    assert agency["party_code"] == "CA"
    assert agency["mandate_areas"] == ["fraud", "organised_crime"]
    patched = client.patch(
        f"/api/v1/agencies/{agency['id']}",
        json={"name": "Canada Revenue Agency (CRA)"},
        headers=headers,
    )
    assert patched.status_code == 200
    fetched = client.get(f"/api/v1/agencies/{agency['id']}", headers=headers).json()
    assert fetched["name"] == "Canada Revenue Agency (CRA)"


def test_duplicate_acronym_is_a_conflict_naming_the_field(
    client: TestClient, auth_headers: Headers
) -> None:
    headers = auth_headers("ca-admin")
    before = client.get("/api/v1/agencies", headers=headers).json()
    response = client.post(
        "/api/v1/agencies",
        json={"party_code": "CA", "name": "Another police", "acronym": "rcmp"},
        headers=headers,
    )
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "conflict"
    assert problem["errors"] == [
        {"field": "acronym", "message": "CA already has an agency with acronym 'rcmp'"}
    ]
    assert len(client.get("/api/v1/agencies", headers=headers).json()) == len(before)


def test_unknown_party_is_rejected_naming_the_field(
    client: TestClient, auth_headers: Headers
) -> None:
    response = client.post(
        "/api/v1/agencies",
        json={"party_code": "ZZ", "name": "Nowhere police", "acronym": "NP"},
        headers=auth_headers("ca-admin"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "party_code"
    assert "unknown party 'ZZ'" in response.json()["detail"]


def test_agencies_of_the_other_party_are_not_recorded_here(
    client: TestClient, auth_headers: Headers
) -> None:
    response = client.post(
        "/api/v1/agencies",
        json={"party_code": "IN", "name": "Narcotics Control Bureau", "acronym": "NCB"},
        headers=auth_headers("ca-admin"),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "party_code"


def test_add_party_validates_iso_code(client: TestClient, auth_headers: Headers) -> None:
    headers = auth_headers("ca-admin")
    assert client.post("/api/v1/parties", json={"code": "XQ"}, headers=headers).status_code == 422
    added = client.post("/api/v1/parties", json={"code": "au"}, headers=headers)
    assert added.status_code == 201
    assert added.json() == {"code": "AU", "name": "Australia"}
    again = client.post("/api/v1/parties", json={"code": "AU"}, headers=headers)
    assert again.status_code == 409


def test_non_admin_cannot_add_agencies(client: TestClient, auth_headers: Headers) -> None:
    headers = auth_headers("ca-analyst")
    response = client.post(
        "/api/v1/agencies",
        json={"party_code": "CA", "name": "Canada Revenue Agency", "acronym": "CRA"},
        headers=headers,
    )
    assert response.status_code == 403
    acronyms = {a["acronym"] for a in client.get("/api/v1/agencies", headers=headers).json()}
    assert "CRA" not in acronyms


def _nominate(client: TestClient, headers: dict[str, str], agency_id: str) -> dict[str, str]:
    response = client.post(
        "/api/v1/officers",
        json={
            "agency_id": agency_id,
            "role_title": "CBSA Liaison Officer (migration integrity)",
            "host_party_code": "IN",
            "posting": "High Commission of Canada, New Delhi",
            "nominated_on": "2026-04-01",
        },
        headers=headers,
    )
    assert response.status_code == 201, response.text
    officer: dict[str, str] = response.json()
    return officer


@pytest.fixture
def hosted_officer(seeded: sessionmaker[Session]) -> str:
    """An Indian officer posted to Canada, as India's node published it, with IN pinned."""
    with unit_of_work(seeded) as db:
        pin_peer(db, "IN")
        agency = Agency(
            party_code="IN",
            name="Ministry of Home Affairs",
            acronym="MHA",
            mandate_areas=["drugs"],
            origin_node="liaison-in",
        )
        db.add(agency)
        db.flush()
        officer = Officer(
            kind="liaison_officer",
            role_title="MHA Liaison Officer",
            agency_id=agency.id,
            host_party_code="CA",
            posting="Ottawa",
            accreditation_status="nominated",
            nominated_on=date(2026, 3, 2),
            origin_node="liaison-in",
        )
        db.add(officer)
        db.flush()
        return officer.id


def test_host_party_accredits_then_withdraws_a_foreign_officer(
    client: TestClient,
    auth_headers: Headers,
    hosted_officer: str,
    seeded: sessionmaker[Session],
) -> None:
    headers = auth_headers("ca-admin")
    url = f"/api/v1/officers/{hosted_officer}/accreditation"
    accredited = client.post(
        url, json={"status": "accredited", "on": "2026-03-16"}, headers=headers
    )
    assert accredited.status_code == 200, accredited.text
    assert accredited.json()["accreditation_status"] == "accredited"
    assert accredited.json()["accredited_on"] == "2026-03-16"
    withdrawn = client.post(url, json={"status": "withdrawn", "on": "2026-09-30"}, headers=headers)
    assert withdrawn.json()["withdrawn_on"] == "2026-09-30"
    again = client.post(url, json={"status": "accredited", "on": "2026-10-01"}, headers=headers)
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "status"
    with seeded() as db:
        decisions = db.scalars(select(OutboxMessage.type).where(OutboxMessage.peer_party == "IN"))
        assert list(decisions) == ["directory.accreditation_decision"] * 2


def test_only_an_admin_of_the_host_party_decides(
    client: TestClient, auth_headers: Headers, hosted_officer: str
) -> None:
    url = f"/api/v1/officers/{hosted_officer}/accreditation"
    response = client.post(
        url, json={"status": "accredited", "on": "2026-03-16"}, headers=auth_headers("ca-officer")
    )
    assert response.status_code == 403


def test_own_officer_can_only_be_withdrawn_here(client: TestClient, auth_headers: Headers) -> None:
    headers = auth_headers("ca-admin")
    officer = _nominate(client, headers, _agency_id(client, headers, "CBSA"))
    url = f"/api/v1/officers/{officer['id']}/accreditation"
    refused = client.post(url, json={"status": "accredited", "on": "2026-04-20"}, headers=headers)
    assert refused.status_code == 403
    assert "decided by the host party (IN)" in refused.json()["detail"]
    withdrawn = client.post(url, json={"status": "withdrawn", "on": "2026-05-01"}, headers=headers)
    assert withdrawn.json()["accreditation_status"] == "withdrawn"


def test_accreditation_dates_out_of_order_are_refused(
    client: TestClient, auth_headers: Headers, hosted_officer: str
) -> None:
    headers = auth_headers("ca-admin")
    url = f"/api/v1/officers/{hosted_officer}/accreditation"
    response = client.post(url, json={"status": "accredited", "on": "2026-03-01"}, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "on"
    assert "before the nominated date 2026-03-02" in response.json()["detail"]
    fetched = client.get(f"/api/v1/officers/{hosted_officer}", headers=headers).json()
    assert fetched["accreditation_status"] == "nominated"
    assert fetched["accredited_on"] is None


def test_officer_posted_to_own_party_is_refused(client: TestClient, auth_headers: Headers) -> None:
    headers = auth_headers("ca-admin")
    response = client.post(
        "/api/v1/officers",
        json={
            "agency_id": _agency_id(client, headers, "RCMP"),
            "role_title": "Liaison Officer",
            "host_party_code": "CA",
            "posting": "Ottawa",
            "nominated_on": "2026-04-01",
        },
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "host_party_code"


def test_liaison_officer_may_change_only_their_own_agency(
    client: TestClient, auth_headers: Headers
) -> None:
    officer_headers = auth_headers("ca-officer")  # belongs to RCMP
    admin = auth_headers("ca-admin")
    rcmp_post = client.get("/api/v1/officers", headers=admin).json()[0]
    own = client.patch(
        f"/api/v1/officers/{rcmp_post['id']}",
        json={"posting": "New Delhi"},
        headers=officer_headers,
    )
    assert own.status_code == 200
    cbsa_post = _nominate(client, admin, _agency_id(client, admin, "CBSA"))
    other = client.patch(
        f"/api/v1/officers/{cbsa_post['id']}", json={"posting": "Mumbai"}, headers=officer_headers
    )
    assert other.status_code == 403
    unchanged = client.get(f"/api/v1/officers/{cbsa_post['id']}", headers=admin).json()
    assert unchanged["posting"] == "High Commission of Canada, New Delhi"


def test_contact_channels_are_hidden_from_viewers(
    client: TestClient, auth_headers: Headers
) -> None:
    admin = auth_headers("ca-admin")
    officer_id = client.get("/api/v1/officers", headers=admin).json()[0]["id"]
    added = client.post(
        f"/api/v1/officers/{officer_id}/channels",
        json={"kind": "secure_email", "address": "lo-newdelhi@rcmp.example"},
        headers=admin,
    )
    assert added.status_code == 201
    assert len(client.get(f"/api/v1/officers/{officer_id}/channels", headers=admin).json()) == 1
    viewer = auth_headers("ca-viewer")
    assert client.get(f"/api/v1/officers/{officer_id}/channels", headers=viewer).json() == []
    gone = client.delete(f"/api/v1/channels/{added.json()['id']}", headers=viewer)
    assert gone.status_code == 404
    assert client.delete(f"/api/v1/channels/{added.json()['id']}", headers=admin).status_code == 204


def test_empty_filters_mean_any(client: TestClient, auth_headers: Headers) -> None:
    headers = auth_headers("ca-viewer")
    every = client.get("/api/v1/agencies", headers=headers).json()
    assert client.get("/api/v1/agencies?party=", headers=headers).json() == every
    officers = client.get("/api/v1/officers?agency_id=", headers=headers)
    assert officers.status_code == 200
    assert len(officers.json()) == 1


def test_null_for_a_required_officer_field_is_a_422_naming_it(
    client: TestClient, auth_headers: Headers
) -> None:
    headers = auth_headers("ca-admin")
    agency_id = client.get("/api/v1/agencies?party=CA", headers=headers).json()[0]["id"]
    officer = _nominate(client, headers, agency_id)
    url = f"/api/v1/officers/{officer['id']}"
    for name in ("posting", "role_title"):
        response = client.patch(url, json={name: None}, headers=headers)
        assert response.status_code == 422, response.text
        assert [e["field"] for e in response.json()["errors"]] == [name]
    cleared = client.patch(url, json={"person_name": None, "posting": "Mumbai"}, headers=headers)
    assert cleared.status_code == 200, cleared.text
    assert (cleared.json()["person_name"], cleared.json()["posting"]) == (None, "Mumbai")
