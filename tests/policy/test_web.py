"""Policy pages in the browser's shoes: explain a draft, rule packs, the review queue."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from liaison.policy.packs import shipped_sources
from tests.policy.holds import entries, held
from tests.support.web import HTML, sign_in

DRAFT = {
    "direction": "outbound",
    "kind": "message",
    "sender_party": "CA",
    "recipient_party": "IN",
    "originator_party": "CA",
    "tlp": "AMBER",
    "handling_code": "intelligence_only",
    "legal_basis": "police_cooperation",
    "protection_status": "refugee_claimant",
    "feared_country": "IN",
    "flags": ["contains_personal_data"],
}


def test_officer_sees_a_blocked_draft_with_its_legal_explanation(client: TestClient) -> None:
    token = sign_in(client, "ca-officer")
    page = client.get("/policy/explain", headers=HTML)
    assert page.status_code == 200
    assert 'href="/policy/explain" aria-current="page"' in page.text
    answer = client.post("/policy/explain", data=DRAFT | {"csrf_token": token}, headers=HTML)
    assert answer.status_code == 200
    assert "Blocked" in answer.text
    assert 'data-rule-id="ca.non_refoulement"' in answer.text
    assert "Convention relating to the Status of Refugees (1951), art. 33" in answer.text
    assert "rules considered that do not apply" in answer.text


def test_draft_with_assurance_needed_says_it_will_be_held(client: TestClient) -> None:
    token = sign_in(client, "ca-officer")
    draft = DRAFT | {"protection_status": "none", "feared_country": "", "offences": ["murder"]}
    answer = client.post("/policy/explain", data=draft | {"csrf_token": token}, headers=HTML)
    assert "held for legal review" in answer.text
    assert "Assurance required" in answer.text


def test_bad_draft_names_the_field(client: TestClient) -> None:
    token = sign_in(client, "ca-officer")
    bad = DRAFT | {"sender_party": "", "csrf_token": token}
    answer = client.post("/policy/explain", data=bad, headers=HTML)
    assert answer.status_code == 422
    assert 'href="#sender_party"' in answer.text


def test_admin_sees_rules_and_a_bad_pack_is_refused_naming_the_rule(client: TestClient) -> None:
    token = sign_in(client, "ca-admin")
    page = client.get("/policy/packs", headers=HTML)
    assert "<code>ca.burns.death_penalty_assurance</code>" in page.text
    assert "United States v. Burns, 2001 SCC 7" in page.text
    bad = shipped_sources()["ca.toml"].replace('version = "2026.12.1"', 'version = "9"')
    bad = bad.replace("context.mistreatment_risk_any &&", "context.mistreatment_level > 2 &&")
    answer = client.post("/policy/packs", data={"source": bad, "csrf_token": token}, headers=HTML)
    assert answer.status_code == 422
    assert "rule ca.acmfea.mistreatment_review" in answer.text
    assert "mistreatment_level" in answer.text


def test_officer_reads_the_packs_but_cannot_load_one(client: TestClient) -> None:
    token = sign_in(client, "ca-officer")
    page = client.get("/policy/packs", headers=HTML)
    assert page.status_code == 200
    assert 'id="pack-form"' not in page.text
    source = shipped_sources()["ca.toml"]
    answer = client.post(
        "/policy/packs", data={"source": source, "csrf_token": token}, headers=HTML
    )
    assert answer.status_code == 403


def test_legal_reviewer_approves_a_held_item_from_the_queue(
    client: TestClient, seeded: sessionmaker[Session]
) -> None:
    review_id = held(seeded, "web-item", mistreatment_risk=True)
    token = sign_in(client, "ca-legal")
    page = client.get("/policy/reviews", headers=HTML)
    assert f'id="review-{review_id}"' in page.text
    assert "ca.acmfea.mistreatment_review" in page.text
    assert f'action="/policy/reviews/{review_id}/decide"' in page.text
    refused_form = client.post(
        f"/policy/reviews/{review_id}/decide",
        data={"status": "amended", "reasons": "Address removed", "csrf_token": token},
        headers=HTML,
    )
    assert refused_form.status_code == 422
    assert "needs at least one condition" in refused_form.text
    done = client.post(
        f"/policy/reviews/{review_id}/decide",
        data={
            "status": "amended",
            "reasons": "Address removed",
            "conditions": "Remove the home address\nIntelligence only",
            "csrf_token": token,
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert [e.action for e in entries(seeded, "web-item")][1] == "test.released"
    after = client.get("/policy/reviews?status=amended", headers=HTML)
    assert "Remove the home address; Intelligence only" in after.text
