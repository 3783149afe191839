"""Two live nodes agree a workplan change: CA proposes, IN counter-proposes, CA accepts;
both hold the identical version signed by both. A concurrent proposal is a conflict."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from liaison.workplan.document import canonical
from liaison.workplan.schemas import PlanDocument
from tests.support.nodes import LiveNode, wait_for

pytestmark = pytest.mark.live


def _get(node: LiveNode, path: str) -> Any:
    with node.api(f"{node.party.lower()}-officer") as api:
        answer = api.get(path)
        assert answer.status_code == 200, answer.text
        return answer.json()


def _signed_by_both(node: LiveNode, number: int) -> bool:
    current = _get(node, "/api/v1/workplan")
    verified = {s["party_code"] for s in current["signatures"] if s["verified"]}
    return bool(current["number"] == number and verified == {"CA", "IN"})


def _action(description: str, due: str) -> dict[str, Any]:
    return {
        "area": "drugs_precursors",
        "description": description,
        "leads": {"CA": "CBSA", "IN": "NCB"},
        "deliverables": ["Two training sessions"],
        "milestones": [{"title": "First session held", "due": due}],
    }


def _proposal_at(node: LiveNode, proposal_id: str, status: str | None = None) -> bool:
    found = [p for p in _get(node, "/api/v1/workplan/proposals") if p["id"] == proposal_id]
    return bool(found) and (status is None or found[0]["status"] == status)


def test_propose_counter_accept_and_conflict(peered: tuple[LiveNode, LiveNode]) -> None:
    canada, india = peered
    # Version 1 (the dialogue's baseline) is signed by both nodes once they are peered.
    for node in peered:
        wait_for(lambda n=node: _signed_by_both(n, 1), what=f"version 1 signed at {node.party}")
    assert _get(canada, "/api/v1/workplan")["sha256"] == _get(india, "/api/v1/workplan")["sha256"]
    # India must know Canada's agencies (the directory exchange) to check the leads.
    wait_for(
        lambda: any(a["acronym"] == "CBSA" for a in _get(india, "/api/v1/agencies?party=CA")),
        what="Canada's agencies at India",
    )

    with canada.api("ca-officer") as api:
        proposed = api.post(
            "/api/v1/workplan/proposals",
            json={
                "base_version": 1,
                "changes": [
                    {
                        "op": "add_action",
                        "action": _action("Joint precursor training", "2026-12-15"),
                    }
                ],
                "note": "Proposed at the working-level call",
            },
        )
        assert proposed.status_code == 201, proposed.text
    ours = proposed.json()
    wait_for(lambda: _proposal_at(india, ours["id"], "open"), what="the proposal at India")

    with india.api("in-officer") as api:
        action = dict(ours["changes"][0]["action"])
        action["milestones"] = [{"title": "First session held", "due": "2027-01-20"}]
        countered = api.post(
            f"/api/v1/workplan/proposals/{ours['id']}/counter",
            json={"changes": [{"op": "add_action", "action": action}], "note": "January suits NCB"},
        )
        assert countered.status_code == 201, countered.text
        # A second, concurrent proposal on the same base version.
        concurrent = api.post(
            "/api/v1/workplan/proposals",
            json={
                "base_version": 1,
                "changes": [
                    {"op": "add_action", "action": _action("Precursor statistics", "2026-11-30")}
                ],
            },
        )
        assert concurrent.status_code == 201, concurrent.text
    counter_id = countered.json()["id"]
    concurrent_id = concurrent.json()["id"]
    wait_for(lambda: _proposal_at(canada, ours["id"], "countered"), what="the counter at Canada")
    wait_for(lambda: _proposal_at(canada, concurrent_id, "open"), what="the second proposal")

    with canada.api("ca-officer") as api:
        accepted = api.post(f"/api/v1/workplan/proposals/{counter_id}/accept")
        assert accepted.status_code == 200, accepted.text
    for node in peered:
        wait_for(lambda n=node: _signed_by_both(n, 2), what=f"version 2 signed at {node.party}")

    at_canada = _get(canada, "/api/v1/workplan")
    at_india = _get(india, "/api/v1/workplan")
    assert at_canada["sha256"] == at_india["sha256"]
    assert at_canada["document"] == at_india["document"]
    assert {s["signature"] for s in at_canada["signatures"]} == {
        s["signature"] for s in at_india["signatures"]
    }
    # The hash is over the canonical document both nodes hold.
    document = PlanDocument.model_validate(at_canada["document"])
    assert hashlib.sha256(canonical(document)).hexdigest() == at_canada["sha256"]
    added = [a for a in document.actions if a.id == action["id"]]
    assert [m.due.isoformat() for m in added[0].milestones] == ["2027-01-20"]
    assert _proposal_at(india, counter_id, "accepted")

    with canada.api("ca-officer") as api:
        conflict = api.post(f"/api/v1/workplan/proposals/{concurrent_id}/accept")
    assert conflict.status_code == 409
    assert "against version 1, but the current version is 2" in conflict.json()["detail"]
    assert _get(canada, "/api/v1/workplan")["number"] == 2
    assert json.dumps(_get(india, "/api/v1/workplan")["document"], sort_keys=True) == json.dumps(
        at_india["document"], sort_keys=True
    )
