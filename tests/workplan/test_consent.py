"""The consent flow at the Canadian node (SQLite and PostgreSQL), India played in-process."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.kit.db import unit_of_work
from liaison.kit.ids import new_id
from liaison.workplan.baseline import version_one
from liaison.workplan.document import canonical, sha256_of
from liaison.workplan.federation import share_signatures
from tests.workplan.india import India, Outbox, new_action

Headers = Callable[[str], dict[str, str]]
# Version 1 is the same bytes on every node: this is its hash, whoever seeds it.
V1_SHA256 = sha256_of(canonical(version_one()))


def test_version_one_is_seeded_and_signed_by_both_on_first_peering(
    client: TestClient,
    auth_headers: Headers,
    india: India,
    outbox: Outbox,
    seeded: sessionmaker[Session],
    settings: Settings,
) -> None:
    plan = client.get("/api/v1/workplan", headers=auth_headers("ca-viewer")).json()
    assert plan["number"] == 1
    assert plan["sha256"] == V1_SHA256
    titles = [a["title"] for a in plan["document"]["areas"]]
    assert titles == [
        "Liaison officers",
        "Illegal drugs and fentanyl precursors",
        "Transnational organised crime",
        "Cybersecurity policy and information sharing",
        "Fraud",
        "Immigration enforcement",
    ]
    assert plan["signatures"] == []
    with unit_of_work(seeded) as db:
        assert share_signatures(db, settings) == 1
    with unit_of_work(seeded) as db:
        assert share_signatures(db, settings) == 0  # sent once
    [sent] = outbox("workplan.signature")
    assert sent["version"] == 1
    assert sent["sha256"] == V1_SHA256
    india.send("workplan.signature", india.signature(1, V1_SHA256))
    signed = client.get("/api/v1/workplan/versions/1", headers=auth_headers("ca-viewer")).json()
    assert [(s["party_code"], s["verified"]) for s in signed["signatures"]] == [
        ("CA", True),
        ("IN", True),
    ]


def test_propose_counter_accept_countersign(
    client: TestClient, auth_headers: Headers, india: India, outbox: Outbox
) -> None:
    officer = auth_headers("ca-officer")
    proposed = client.post(
        "/api/v1/workplan/proposals",
        json={"base_version": 1, "changes": [{"op": "add_action", "action": new_action()}]},
        headers=officer,
    )
    assert proposed.status_code == 201, proposed.text
    ours = proposed.json()
    made = client.get(
        "/api/v1/audit",
        params={"action": "workplan.proposal.made", "object_id": ours["id"]},
        headers=auth_headers("ca-admin"),
    ).json()["entries"]
    assert [e["actor"] for e in made] == ["user:ca-officer"]
    [sent] = outbox("workplan.proposal")
    assert sent["id"] == ours["id"]
    assert sent["base_sha256"] == V1_SHA256
    action_id = ours["changes"][0]["action"]["id"]

    # India amends the date and answers with a counter-proposal.
    counter = {
        "id": new_id(),
        "base_number": 1,
        "base_sha256": V1_SHA256,
        "proposer_party": "IN",
        "proposed_by": "Demo liaison officer (IN)",
        "note": "January suits NCB better",
        "counter_to": ours["id"],
        "changes": [
            {
                "op": "add_action",
                "action": new_action(
                    id=action_id,
                    milestones=[
                        {"id": new_id(), "title": "First session held", "due": "2027-01-20"}
                    ],
                ),
            }
        ],
    }
    india.send("workplan.proposal", counter)
    mine = client.get(f"/api/v1/workplan/proposals/{ours['id']}", headers=officer).json()
    assert mine["status"] == "countered"

    accepted = client.post(f"/api/v1/workplan/proposals/{counter['id']}/accept", headers=officer)
    assert accepted.status_code == 200, accepted.text
    version = accepted.json()
    assert version["number"] == 2
    assert version["state"] == "pending"
    # Not current until India countersigns.
    assert client.get("/api/v1/workplan", headers=officer).json()["number"] == 1
    [response] = outbox("workplan.response")
    assert response["decision"] == "accept"
    assert response["signed"]["sha256"] == version["sha256"]

    india.send("workplan.signature", india.signature(2, version["sha256"]))
    current = client.get("/api/v1/workplan", headers=officer).json()
    assert current["number"] == 2
    assert current["sha256"] == version["sha256"]
    assert current["document"]["base_sha256"] == V1_SHA256
    assert {(s["party_code"], s["verified"]) for s in current["signatures"]} == {
        ("CA", True),
        ("IN", True),
    }
    added = next(a for a in current["document"]["actions"] if a["id"] == action_id)
    assert added["milestones"][0]["due"] == "2027-01-20"
    diff = client.get("/api/v1/workplan/versions/2/diff", headers=officer).json()
    assert [(d["kind"], d["action_id"]) for d in diff] == [("added", action_id)]
    proposal = client.get(f"/api/v1/workplan/proposals/{counter['id']}", headers=officer).json()
    assert proposal["status"] == "accepted"
    assert proposal["result_version"] == 2


def _india_proposal(india: India, description: str) -> str:
    proposal_id = new_id()
    india.send(
        "workplan.proposal",
        {
            "id": proposal_id,
            "base_number": 1,
            "base_sha256": V1_SHA256,
            "proposer_party": "IN",
            "proposed_by": "",
            "note": "",
            "changes": [
                {
                    "op": "add_action",
                    "action": new_action(
                        id=new_id(),
                        description=description,
                        milestones=[{"id": new_id(), "title": "Done", "due": "2026-12-01"}],
                    ),
                }
            ],
        },
    )
    return proposal_id


def test_concurrent_proposals_on_the_same_base_conflict(
    client: TestClient, auth_headers: Headers, india: India
) -> None:
    officer = auth_headers("ca-officer")
    first = _india_proposal(india, "Exchange of precursor seizure statistics")
    second = _india_proposal(india, "Quarterly precursor threat assessment")
    accepted = client.post(f"/api/v1/workplan/proposals/{first}/accept", headers=officer)
    assert accepted.status_code == 200
    # While version 2 awaits India's countersignature ...
    clash = client.post(f"/api/v1/workplan/proposals/{second}/accept", headers=officer)
    assert clash.status_code == 409
    assert "awaiting the countersignature" in clash.json()["detail"]
    india.send("workplan.signature", india.signature(2, accepted.json()["sha256"]))
    # ... and after it: the second proposal's base is no longer current.
    stale = client.post(f"/api/v1/workplan/proposals/{second}/accept", headers=officer)
    assert stale.status_code == 409
    problem = stale.json()
    assert "against version 1, but the current version is 2" in problem["detail"]
    assert problem["errors"][0]["field"] == "base_version"
    assert (
        client.get(f"/api/v1/workplan/proposals/{second}", headers=officer).json()["status"]
        == "open"
    )
    own = client.post(
        "/api/v1/workplan/proposals",
        json={"base_version": 1, "changes": [{"op": "add_action", "action": new_action()}]},
        headers=officer,
    )
    assert own.status_code == 409
    versions = client.get("/api/v1/workplan/versions", headers=officer).json()
    assert [v["number"] for v in versions] == [2, 1]
