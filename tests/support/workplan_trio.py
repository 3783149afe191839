"""A three-party workplan (Canada, India, the United States), step by step through each
node's API, so the same steps run against in-process nodes (tests/support/trio.py) or
live ones: each step takes the three nodes' APIs and ``settle``, which returns once every
envelope queued so far has been delivered and applied (in process: ``exchange_all``;
live: wait until the outboxes are empty)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

from liaison import domains
from liaison.kit.plugin import Registry
from tests.support.nodes import LiveNode
from tests.support.pair import AppNode

Settle = Callable[[], None]
_NS = uuid.UUID("0b3f2d7e-5a61-4c2e-9d14-3e8b6c7a9f01")


def _id(name: str) -> str:
    return str(uuid.uuid5(_NS, name))


LEADS = {"CA": "RCMP", "IN": "NCB", "US": "DEA"}
PLAN: dict[str, Any] = {
    "title": "Trilateral workplan on fentanyl precursors",
    "parties": ["CA", "IN", "US"],
    "period": {"start": "2026-12-01", "end": "2027-12-31"},
    "number": 1,
    "areas": [{"key": "drugs_precursors", "title": "Illegal drugs and fentanyl precursors"}],
    "actions": [
        {
            "id": _id("action:pipeline"),
            "area": "drugs_precursors",
            "description": "Map one precursor pipeline from supplier to the three markets",
            "leads": LEADS,
            "deliverables": ["A joint pipeline map"],
            "milestones": [
                {"id": _id("milestone:map"), "title": "Map agreed", "due": "2027-03-31"}
            ],
        }
    ],
}


def seeds_without_workplan() -> Registry:
    """The shipped domains' seed steps but the Ottawa (CA-IN) plan: the nodes adopt PLAN."""
    return domains.registry().without_seeds(["workplan"])


class PartyApi(Protocol):
    @property
    def party(self) -> str: ...

    def call(
        self, username: str, method: str, path: str, body: object | None = None
    ) -> httpx.Response: ...


@dataclass
class InProcessApi:
    node: AppNode
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def party(self) -> str:
        return self.node.party

    def call(
        self, username: str, method: str, path: str, body: object | None = None
    ) -> httpx.Response:
        if username not in self.headers:
            self.headers[username] = self.node.headers(username)
        return self.node.client.request(method, path, json=body, headers=self.headers[username])


@dataclass
class LiveApi:
    node: LiveNode

    @property
    def party(self) -> str:
        return self.node.party

    def call(
        self, username: str, method: str, path: str, body: object | None = None
    ) -> httpx.Response:
        with self.node.api(username) as api:
            return api.request(method, path, json=body)


def _ok(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


def get(api: PartyApi, path: str) -> Any:
    return _ok(api.call(f"{api.party.lower()}-officer", "GET", path))


def post(api: PartyApi, path: str, body: object | None = None, status: int = 200) -> Any:
    return _ok(api.call(f"{api.party.lower()}-officer", "POST", path, body), status)


def current(api: PartyApi) -> Any:
    return get(api, "/api/v1/workplan")


def verified(version: Any) -> set[str]:
    return {s["party_code"] for s in version["signatures"] if s["verified"]}


def proposal_status(api: PartyApi, proposal_id: str) -> str:
    return str(get(api, f"/api/v1/workplan/proposals/{proposal_id}")["status"])


def add_action(description: str) -> list[dict[str, Any]]:
    action = {
        "area": "drugs_precursors",
        "description": description,
        "leads": dict(LEADS),
        "milestones": [{"title": "First exchange", "due": "2027-02-15"}],
    }
    return [{"op": "add_action", "action": action}]


def propose(api: PartyApi, base: int, description: str) -> str:
    body = {"base_version": base, "changes": add_action(description)}
    return str(post(api, "/api/v1/workplan/proposals", body, 201)["id"])


def adopt_plan(apis: Sequence[PartyApi], settle: Settle) -> None:
    """Every party's administrator adopts the same plan; the nodes exchange signatures."""
    for api in apis:
        admin = f"{api.party.lower()}-admin"
        _ok(api.call(admin, "POST", "/api/v1/workplan/adopt", PLAN), 201)
    settle()
    heads = {current(api)["sha256"] for api in apis}
    assert len(heads) == 1
    for api in apis:
        assert verified(current(api)) == {"CA", "IN", "US"}, api.party


def signed_by_all(apis: Sequence[PartyApi], settle: Settle) -> int:
    """Canada proposes; India accepts (still pending: the United States has not signed);
    the United States accepts: version 2 is current on all three, three valid signatures."""
    canada, india, us = apis
    base = current(canada)["number"]
    two_leads = add_action("Bilateral only")
    del two_leads[0]["action"]["leads"]["US"]
    body = {"base_version": base, "changes": two_leads}
    refused = canada.call("ca-officer", "POST", "/api/v1/workplan/proposals", body)
    assert refused.status_code == 422  # one lead agency for each of the three parties
    assert "name one lead agency for each party: CA, IN, US" in refused.text
    proposal_id = propose(canada, base, "Exchange precursor seizure data monthly")
    settle()
    assert proposal_status(india, proposal_id) == proposal_status(us, proposal_id) == "open"
    post(india, f"/api/v1/workplan/proposals/{proposal_id}/accept")
    settle()
    for api in apis:
        assert current(api)["number"] == base, api.party
    pending = get(canada, f"/api/v1/workplan/versions/{base + 1}")
    assert pending["state"] == "pending"
    assert verified(pending) == {"IN"}  # Canada signs last, once every other party has
    post(us, f"/api/v1/workplan/proposals/{proposal_id}/accept")
    settle()
    versions = [current(api) for api in apis]
    assert {v["number"] for v in versions} == {base + 1}
    assert len({v["sha256"] for v in versions}) == 1
    for version in versions:
        assert verified(version) == {"CA", "IN", "US"}
    assert len({frozenset(s["signature"] for s in v["signatures"]) for v in versions}) == 1
    for api in apis:
        assert proposal_status(api, proposal_id) == "accepted", api.party
    return base + 1


def one_rejection(apis: Sequence[PartyApi], settle: Settle) -> None:
    """The United States proposes, India accepts, Canada rejects: current nowhere."""
    canada, india, us = apis
    base = current(us)["number"]
    proposal_id = propose(us, base, "Joint controlled deliveries of precursor shipments")
    settle()
    post(india, f"/api/v1/workplan/proposals/{proposal_id}/accept")
    post(canada, f"/api/v1/workplan/proposals/{proposal_id}/reject", {"reason": "Not this year"})
    settle()
    for api in apis:
        assert current(api)["number"] == base, api.party
        assert proposal_status(api, proposal_id) == "rejected", api.party
        assert get(api, "/api/v1/workplan/versions")[0]["number"] == base, api.party


def concurrent_proposals(apis: Sequence[PartyApi], settle: Settle) -> None:
    """Canada and India propose against the same version at once and each accepts the
    other's: a node holds one pending version at a time, and whichever way the envelopes
    cross, every node ends with the same current version and the same outcome for each
    proposal (in-process delivery order: both lose the race)."""
    canada, india, us = apis
    base = current(canada)["number"]
    ours = propose(canada, base, "Share precursor import licences")
    theirs = propose(india, base, "Share precursor export licences")
    settle()
    post(us, f"/api/v1/workplan/proposals/{ours}/accept")
    clash = us.call("us-officer", "POST", f"/api/v1/workplan/proposals/{theirs}/accept")
    assert clash.status_code == 409  # one pending version per node
    post(india, f"/api/v1/workplan/proposals/{ours}/accept")
    post(canada, f"/api/v1/workplan/proposals/{theirs}/accept")
    settle()
    heads = {(current(api)["number"], current(api)["sha256"]) for api in apis}
    assert len(heads) == 1
    assert heads.pop()[0] in (base, base + 1)
    for proposal_id in (ours, theirs):
        outcomes = {proposal_status(api, proposal_id) for api in apis}
        assert len(outcomes) == 1, outcomes
        assert outcomes <= {"conflict", "accepted"}
    for api in apis:  # no node is left holding a version that can never be signed
        assert get(api, "/api/v1/workplan/versions")[0]["state"] == "accepted", api.party


def progress_and_report(apis: Sequence[PartyApi], settle: Settle) -> None:
    """The United States reports progress on the adopted action: both other parties
    receive it, and each node's joint report names the three lead agencies and the
    three verified signatures."""
    us = apis[2]
    action_id = PLAN["actions"][0]["id"]
    note = "DEA mapped the brokers in the pipeline"
    post(us, f"/api/v1/workplan/actions/{action_id}/progress", {"note": note}, 201)
    settle()
    for api in apis:
        answer = api.call(
            f"{api.party.lower()}-officer", "GET", "/api/v1/workplan/report?format=md"
        )
        assert answer.status_code == 200, answer.text
        report = answer.text
        assert "(CA: RCMP, IN: NCB, US: DEA)" in report, api.party
        assert f": {note}" in report, api.party
        for party in ("CA", "IN", "US"):
            assert f"- signed by {party} (key " in report, (api.party, party)
        assert "NOT verified" not in report, api.party
        dashboard = get(api, "/api/v1/workplan/dashboard")
        assert dashboard["parties"] == ["CA", "IN", "US"], api.party


def counter_proposal(apis: Sequence[PartyApi], settle: Settle) -> None:
    """Canada proposes, the United States accepts, India counter-proposes: the original is
    countered on every node (the United States drops its pending version); once Canada
    and the United States accept the counter, India signs last and it is current."""
    canada, india, us = apis
    base = current(canada)["number"]
    original = propose(canada, base, "Quarterly precursor typologies")
    settle()
    post(us, f"/api/v1/workplan/proposals/{original}/accept")
    body = {"changes": add_action("Half-yearly precursor typologies"), "note": "Twice a year"}
    counter = str(post(india, f"/api/v1/workplan/proposals/{original}/counter", body, 201)["id"])
    settle()
    for api in apis:
        assert proposal_status(api, original) == "countered", api.party
        assert get(api, "/api/v1/workplan/versions")[0]["state"] == "accepted", api.party
    post(canada, f"/api/v1/workplan/proposals/{counter}/accept")
    post(us, f"/api/v1/workplan/proposals/{counter}/accept")
    settle()
    for api in apis:
        version = current(api)
        assert version["number"] == base + 1, api.party
        assert verified(version) == {"CA", "IN", "US"}, api.party
        assert proposal_status(api, counter) == "accepted", api.party
