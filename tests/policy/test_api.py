"""Policy API on SQLite and PostgreSQL: explain, decisions, rule packs."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.models.audit import AuditEntry
from liaison.policy import service
from liaison.policy.packs import shipped_sources
from liaison.policy.schemas import Effect
from tests.policy.helpers import BASE, subject

Headers = Callable[[str], dict[str, str]]

RED_RULE = """
[[rule]]
id = "ca.test.no_red"
description = "TLP:RED stays home in this test version"
citation = "Test directive 1"
explanation = "TLP:{tlp} may not leave Canada."
effect = "block"
when = \'\'\'context.sender_party == "CA" && context.tlp == "RED"\'\'\'
"""


def ca_pack(version: str, extra: str = "") -> str:
    source = shipped_sources()["ca.toml"].replace('version = "2026.12.1"', f'version = "{version}"')
    return source + extra


def test_explain_shows_applied_and_not_applicable_rules(
    client: TestClient, auth_headers: Headers
) -> None:
    draft = BASE | {"protection_status": "refugee_claimant", "feared_country": "IN"}
    answer = client.post("/api/v1/policy/explain", json=draft, headers=auth_headers("ca-officer"))
    assert answer.status_code == 200
    body = answer.json()
    assert body["effect"] == "block"
    hit = next(r for r in body["rules"] if r["rule_id"] == "ca.non_refoulement")
    assert "art. 33" in hit["citation"]
    assert "fears IN" in hit["explanation"]
    assert "ca.burns.death_penalty_assurance" in {r["rule_id"] for r in body["not_applicable"]}


def test_explain_names_an_unknown_or_bad_field(client: TestClient, auth_headers: Headers) -> None:
    answer = client.post(
        "/api/v1/policy/explain",
        json=BASE | {"tlp": "PURPLE", "colour": "x"},
        headers=auth_headers("ca-officer"),
    )
    assert answer.status_code == 422
    fields = {e["field"] for e in answer.json()["errors"]}
    assert {"tlp", "colour"} <= fields


def test_blocked_decision_is_403_with_rules_and_is_audited(
    client: TestClient, auth_headers: Headers, seeded: sessionmaker[Session]
) -> None:
    answer = client.post(
        "/api/v1/policy/decisions",
        json={
            "object_type": "exchange.message",
            "object_id": "msg-1",
            "subject": BASE | {"handling_code": "evidence"},
        },
        headers=auth_headers("ca-officer"),
    )
    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["code"] == "policy_blocked"
    assert problem["rules"][0]["rule_id"] == "joint.mlat.evidence_requires_mlat"
    assert "Mutual Legal Assistance" in problem["rules"][0]["citation"]
    assert problem["rules"][0]["explanation"]
    with unit_of_work(seeded) as db:
        entry = db.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "policy.decision", AuditEntry.object_id == "msg-1"
            )
        ).one()
        assert entry.decision == "block"
        assert entry.actor == "user:ca-officer"
        assert entry.rule_ids == ["joint.mlat.evidence_requires_mlat"]
        assert entry.detail["to"] == "IN"


def test_enforce_records_what_to_whom_and_on_what_basis(seeded: sessionmaker[Session]) -> None:
    with unit_of_work(seeded) as db:
        decision = service.enforce(
            db,
            subject(contains_personal_data=True),
            actor="user:ca-officer",
            object_type="exchange.message",
            object_id="msg-2",
        )
    assert decision.effect is Effect.ALLOW_WITH_OBLIGATIONS
    with unit_of_work(seeded) as db:
        entry = db.scalars(select(AuditEntry).where(AuditEntry.object_id == "msg-2")).one()
        assert entry.detail["legal_basis"] == "police_cooperation"
        assert entry.detail["to"] == "IN"
        assert "ca.scida.record_keeping" in entry.rule_ids


def test_packs_are_listed_with_the_shipped_versions_active(
    client: TestClient, auth_headers: Headers
) -> None:
    answer = client.get("/api/v1/policy/packs", headers=auth_headers("ca-viewer"))
    assert answer.status_code == 200
    active = {(p["pack"], p["version"]) for p in answer.json() if p["active"]}
    assert active == {("CA", "2026.12.1"), ("IN", "2026.12.1"), ("CA-IN", "2026.12.2")}


def test_admin_loads_and_activates_a_new_version(client: TestClient, auth_headers: Headers) -> None:
    admin = auth_headers("ca-admin")
    red = BASE | {"tlp": "RED"}
    before = client.post("/api/v1/policy/explain", json=red, headers=admin).json()
    assert before["effect"] != "block"
    loaded = client.post(
        "/api/v1/policy/packs", json={"source": ca_pack("2026.03.0", RED_RULE)}, headers=admin
    )
    assert loaded.status_code == 201
    assert loaded.json()["active"] is False
    activated = client.post(f"/api/v1/policy/packs/{loaded.json()['id']}/activate", headers=admin)
    assert activated.status_code == 200
    after = client.post("/api/v1/policy/explain", json=red, headers=admin).json()
    assert after["effect"] == "block"
    assert after["rules"][0]["pack_version"] == "2026.03.0"
    packs = client.get("/api/v1/policy/packs", headers=admin).json()
    ca_active = [p["version"] for p in packs if p["pack"] == "CA" and p["active"]]
    assert ca_active == ["2026.03.0"]


def test_bad_pack_is_refused_naming_the_rule_and_previous_stays_active(
    client: TestClient, auth_headers: Headers
) -> None:
    admin = auth_headers("ca-admin")
    bad = ca_pack("2026.03.1", RED_RULE.replace("context.tlp", "context.colour"))
    answer = client.post("/api/v1/policy/packs", json={"source": bad}, headers=admin)
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("rule ca.test.no_red:")
    assert "colour" in answer.json()["detail"]
    draft = BASE | {"contains_personal_data": True, "legal_basis": None}
    decision = client.post("/api/v1/policy/explain", json=draft, headers=admin).json()
    assert decision["effect"] == "block"
    assert decision["rules"][0]["pack_version"] == "2026.12.1"


def test_activation_clashing_with_another_pack_is_refused_previous_stays(
    client: TestClient, auth_headers: Headers
) -> None:
    admin = auth_headers("ca-admin")
    clash = RED_RULE.replace("ca.test.no_red", "joint.onward_disclosure.consent")
    loaded = client.post(
        "/api/v1/policy/packs", json={"source": ca_pack("2026.04.0", clash)}, headers=admin
    )
    assert loaded.status_code == 201  # sound on its own
    answer = client.post(f"/api/v1/policy/packs/{loaded.json()['id']}/activate", headers=admin)
    assert answer.status_code == 422
    assert answer.json()["detail"].startswith("rule joint.onward_disclosure.consent: the id is")
    packs = client.get("/api/v1/policy/packs", headers=admin).json()
    assert [p["version"] for p in packs if p["pack"] == "CA" and p["active"]] == ["2026.12.1"]


def test_only_admins_load_packs(client: TestClient, auth_headers: Headers) -> None:
    answer = client.post(
        "/api/v1/policy/packs",
        json={"source": ca_pack("2026.05.0")},
        headers=auth_headers("ca-officer"),
    )
    assert answer.status_code == 403


def test_same_version_with_different_rules_is_a_conflict(
    client: TestClient, auth_headers: Headers
) -> None:
    answer = client.post(
        "/api/v1/policy/packs",
        json={"source": ca_pack("2026.12.1", RED_RULE)},
        headers=auth_headers("ca-admin"),
    )
    assert answer.status_code == 409
    assert answer.json()["errors"][0]["field"] == "version"
