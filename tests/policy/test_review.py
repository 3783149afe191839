"""The legal review queue on SQLite and PostgreSQL.

A test plug-in declares a release hook for its own object type ("policy.test_item")
that records the outcome in the audit log: the same call, in the same transaction,
that the exchange's hook gets.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.policy.holds import entries, held

Headers = Callable[[str], dict[str, str]]


def test_death_penalty_item_is_released_only_with_a_recorded_assurance(
    client: TestClient, auth_headers: Headers, seeded: sessionmaker[Session]
) -> None:
    review_id = held(seeded, "item-dp", offences=["ndps_31a_repeat"])
    legal = auth_headers("ca-legal")
    queue = client.get("/api/v1/policy/reviews?status=held", headers=legal).json()
    item = next(i for i in queue if i["id"] == review_id)
    assert item["decision"]["obligations"][0]["kind"] == "assurance_required"
    assert "2001 SCC 7" in item["decision"]["rules"][0]["citation"]
    url = f"/api/v1/policy/reviews/{review_id}/decide"
    approve = {"status": "approved", "reasons": "Assurance received from MHA"}

    missing = client.post(url, json=approve, headers=legal)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "assurance_reference"
    unknown = client.post(url, json=approve | {"assurance_reference": "NOPE-1"}, headers=legal)
    assert unknown.status_code == 422
    assert [e.action for e in entries(seeded, "item-dp")] == ["policy.review.hold"]
    for reference, changes in (
        ("ASSUR/IN/OLD", {"expires_on": "2026-03-01"}),
        ("ASSUR/IN/NOSTATE", {}),
        ("ASSUR/IN/MT", {"kind": "mistreatment"}),
    ):
        unusable = {
            "reference": reference,
            "given_by": "Ministry of Home Affairs, Government of India",
            "given_on": "2026-02-09",
            "text": "The death penalty will not be sought or, if imposed, carried out.",
        } | changes
        if reference != "ASSUR/IN/NOSTATE":
            unusable["party"] = "IN"
        made = client.post("/api/v1/policy/assurances", json=unusable, headers=legal)
        assert made.status_code == 201, made.text
        refused = client.post(url, json=approve | {"assurance_reference": reference}, headers=legal)
        assert refused.status_code == 422, reference
        assert refused.json()["errors"][0]["field"] == "assurance_reference"

    assurance = {
        "reference": "ASSUR/IN/2026/007",
        "given_by": "Ministry of Home Affairs, Government of India",
        "given_on": "2026-02-09",
        "party": "IN",
        "text": "The death penalty will not be sought or, if imposed, carried out.",
    }
    made = client.post("/api/v1/policy/assurances", json=assurance, headers=legal)
    assert made.status_code == 201
    done = client.post(
        url, json=approve | {"assurance_reference": "ASSUR/IN/2026/007"}, headers=legal
    )
    assert done.status_code == 200
    assert done.json()["status"] == "approved"
    assert done.json()["reviewer"] == "user:ca-legal"
    actions = [e.action for e in entries(seeded, "item-dp")]
    assert actions == ["policy.review.hold", "test.released", "policy.review.decided"]
    decided = entries(seeded, "item-dp")[-1]
    assert decided.detail["notify"] == "user:ca-officer"
    assert entries(seeded, "item-dp")[1].detail["assurance"] == "ASSUR/IN/2026/007"

    again = client.post(url, json={"status": "refused", "reasons": "changed mind"}, headers=legal)
    assert again.status_code == 409


def test_refusal_drops_the_item_with_reasons(
    client: TestClient, auth_headers: Headers, seeded: sessionmaker[Session]
) -> None:
    review_id = held(seeded, "item-mt", mistreatment_risk=True)
    answer = client.post(
        f"/api/v1/policy/reviews/{review_id}/decide",
        json={"status": "refused", "reasons": "Substantial risk cannot be mitigated"},
        headers=auth_headers("ca-legal"),
    )
    assert answer.status_code == 200
    assert answer.json()["reasons"] == "Substantial risk cannot be mitigated"
    assert [e.action for e in entries(seeded, "item-mt")][1] == "test.dropped"
    told = client.get(
        "/notifications", headers=auth_headers("ca-officer") | {"accept": "text/html"}
    )
    assert "Legal review: Refused" in told.text
    assert "Substantial risk cannot be mitigated" in told.text


def test_conditions_are_required_and_passed_to_the_release(
    client: TestClient, auth_headers: Headers, seeded: sessionmaker[Session]
) -> None:
    review_id = held(seeded, "item-c", mistreatment_risk=True)
    url = f"/api/v1/policy/reviews/{review_id}/decide"
    legal = auth_headers("ca-legal")
    bare = {"status": "approved_with_conditions", "reasons": "Risk mitigated"}
    assert client.post(url, json=bare, headers=legal).status_code == 422
    answer = client.post(url, json=bare | {"conditions": ["Redact home address"]}, headers=legal)
    assert answer.status_code == 200
    assert entries(seeded, "item-c")[1].detail["conditions"] == ["Redact home address"]


def test_only_legal_reviewers_decide_and_others_see_only_their_requests(
    client: TestClient, auth_headers: Headers, seeded: sessionmaker[Session]
) -> None:
    review_id = held(seeded, "item-r", mistreatment_risk=True)
    url = f"/api/v1/policy/reviews/{review_id}/decide"
    body = {"status": "approved", "reasons": "fine by me"}
    assert client.post(url, json=body, headers=auth_headers("ca-officer")).status_code == 403
    assert client.post(url, json=body, headers=auth_headers("ca-admin")).status_code == 403
    mine = client.get("/api/v1/policy/reviews", headers=auth_headers("ca-officer")).json()
    assert review_id in {i["id"] for i in mine}
    other = client.get(f"/api/v1/policy/reviews/{review_id}", headers=auth_headers("ca-analyst"))
    assert other.status_code == 404
    assert [e.action for e in entries(seeded, "item-r")] == ["policy.review.hold"]


def test_an_item_nothing_can_release_stays_held(
    client: TestClient, auth_headers: Headers, seeded: sessionmaker[Session]
) -> None:
    review_id = held(seeded, "item-x", object_type="unknown.thing", mistreatment_risk=True)
    answer = client.post(
        f"/api/v1/policy/reviews/{review_id}/decide",
        json={"status": "approved", "reasons": "looks fine"},
        headers=auth_headers("ca-legal"),
    )
    assert answer.status_code == 409
    item = client.get(f"/api/v1/policy/reviews/{review_id}", headers=auth_headers("ca-legal"))
    assert item.json()["status"] == "held"


def test_holding_a_held_item_again_keeps_one_queue_entry(
    client: TestClient, auth_headers: Headers, seeded: sessionmaker[Session]
) -> None:
    first = held(seeded, "item-twice", mistreatment_risk=True)
    second = held(seeded, "item-twice", offences=["terrorism"])
    assert first == second
    queue = client.get("/api/v1/policy/reviews?status=held", headers=auth_headers("ca-legal"))
    items = [i for i in queue.json() if i["object_id"] == "item-twice"]
    assert len(items) == 1
    assert items[0]["decision"]["obligations"][0]["kind"] == "assurance_required"
