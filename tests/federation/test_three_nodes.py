"""Three live nodes (issue 19): Canada's officer sends one request to India and the
United States at once; each party answers on its own clock (the United States late:
overdue for that party only); Canada sees both answers, each threaded to the copy of
the party that gave it; India forwards Canada's request to the United States only once
Canada consents; and a three-party workplan version is current once all three signed,
nowhere once one refuses. The nodes are real processes (tests/support/live_trio.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.exchange import payloads
from tests.support import workplan_trio
from tests.support.live_trio import LiveTrio
from tests.support.nodes import LiveNode, wait_for

pytestmark = [pytest.mark.live, pytest.mark.timeout(900)]  # three nodes start first


def _case(node: LiveNode, username: str, case_id: str) -> dict[str, Any] | None:
    with node.api(username) as api:
        response = api.get(f"/api/v1/exchange/cases/{case_id}")
    return response.json() if response.status_code == 200 else None


def _recipients(trio: LiveTrio, case_id: str) -> dict[str, dict[str, Any]]:
    case = _case(trio.canada, "ca-officer", case_id)
    assert case is not None
    return {row["party"]: row for row in case["recipients"]}


def _copy_at(node: LiveNode, username: str, case_id: str) -> dict[str, Any] | None:
    case = _case(node, username, case_id)
    if case is None:
        return None
    received = [m for m in case["messages"] if m["direction"] == "in"]
    return received[0] if received else None


def _answer(node: LiveNode, username: str, message_id: str, body: str) -> None:
    with node.api(username) as api:
        answer = api.post(f"/api/v1/exchange/messages/{message_id}/reply", json={"body": body})
    assert answer.status_code == 201, answer.text


def test_a_multilateral_request_is_answered_by_two_parties_on_their_own_clocks(
    live_trio: LiveTrio,
) -> None:
    canada, india, us = live_trio.nodes
    agencies = live_trio.agencies(canada, "ca-officer")
    body = payloads.compose(
        agencies,
        case_title="Fentanyl precursor pipeline India-Canada-United States",
        to_agency_ids=[agencies["US:DEA"]],
        priority="urgent",
    )
    with canada.api("ca-officer") as api:
        sent = api.post("/api/v1/exchange/cases", json=body)
    assert sent.status_code == 201, sent.text
    case_id = sent.json()["case_id"]
    copies = _recipients(live_trio, case_id)
    assert set(copies) == {"IN", "US"}

    wait_for(lambda: _copy_at(india, "in-officer", case_id), what="India's copy")
    wait_for(lambda: _copy_at(us, "us-officer", case_id), what="the United States' copy")
    india_copy = _copy_at(india, "in-officer", case_id)
    us_copy = _copy_at(us, "us-officer", case_id)
    assert india_copy is not None
    assert us_copy is not None
    assert india_copy["id"] == copies["IN"]["message_id"]
    assert us_copy["id"] == copies["US"]["message_id"]
    us_case = _case(us, "us-officer", case_id)
    assert us_case is not None
    assert us_case["parties"] == ["CA", "IN", "US"]

    _answer(india, "in-officer", india_copy["id"], "Exporter: Shree Chem Traders, Ankleshwar.")
    wait_for(
        lambda: _recipients(live_trio, case_id)["IN"]["state"] == "answered",
        what="India's answer at Canada",
    )
    # The United States' clock (36 s at Canada) runs out; India's (8 h) does not.
    wait_for(
        lambda: _recipients(live_trio, case_id)["US"]["state"] == "overdue",
        timeout=120,
        what="the United States overdue at Canada",
    )
    status = _recipients(live_trio, case_id)
    assert (status["IN"]["state"], status["IN"]["late"]) == ("answered", False)
    # India never sees the United States' copy, nor (later) its answer
    india_case = _case(india, "in-officer", case_id)
    assert india_case is not None
    assert [m["id"] for m in india_case["messages"]] == [india_copy["id"], status["IN"]["reply_id"]]

    _answer(us, "us-officer", us_copy["id"], "Onward consignee: Pacific Freight LLC, Long Beach.")
    wait_for(
        lambda: _recipients(live_trio, case_id)["US"]["state"] == "answered",
        what="the United States' answer at Canada",
    )
    status = _recipients(live_trio, case_id)
    assert status["US"]["late"] is True
    case = _case(canada, "ca-officer", case_id)
    assert case is not None
    replies = {m["from_party"]: m for m in case["messages"] if m["type"] == "reply"}
    assert replies["IN"]["body"].startswith("Exporter: Shree Chem Traders")
    assert replies["IN"]["in_reply_to"] == copies["IN"]["message_id"]
    assert replies["US"]["body"].startswith("Onward consignee: Pacific Freight")
    assert replies["US"]["in_reply_to"] == copies["US"]["message_id"]
    india_case = _case(india, "in-officer", case_id)
    assert india_case is not None
    assert len(india_case["messages"]) == 2


def test_a_forward_to_a_third_party_waits_for_the_originators_consent(
    live_trio: LiveTrio,
) -> None:
    canada, india, us = live_trio.nodes
    agencies = live_trio.agencies(canada, "ca-officer")
    body = payloads.compose(agencies, subject="Shipping agent of container MSCU1234566")
    with canada.api("ca-officer") as api:
        sent = api.post("/api/v1/exchange/cases", json=body)
    assert sent.status_code == 201, sent.text
    request_id, case_id = sent.json()["id"], sent.json()["case_id"]
    wait_for(lambda: _copy_at(india, "in-officer", case_id), what="the request in India")

    dea = live_trio.agencies(india, "in-officer")["US:DEA"]
    with india.api("in-officer") as api:
        held = api.post(
            f"/api/v1/exchange/messages/{request_id}/forward",
            json={"to_agency_id": dea, "note": "The onward leg lands in Long Beach."},
        )
    assert held.status_code == 201, held.text
    assert held.json()["status"] == "awaiting_consent"

    def asked() -> list[dict[str, Any]]:
        with canada.api("ca-officer") as api:
            rows = api.get("/api/v1/exchange/consents", params={"status": "pending"}).json()
        return [row for row in rows if row["message_id"] == request_id]

    wait_for(asked, what="India's consent request at Canada")
    [consent] = asked()
    assert (consent["holder_party"], consent["onward_party"]) == ("IN", "US")
    assert _case(us, "us-officer", case_id) is None  # nothing reached the United States
    with canada.api("ca-officer") as api:
        granted = api.post(
            f"/api/v1/exchange/consents/{consent['id']}/answer", json={"grant": True}
        )
    assert granted.status_code == 200, granted.text

    wait_for(lambda: _case(us, "us-officer", case_id), what="the forward in the United States")
    us_case = _case(us, "us-officer", case_id)
    assert us_case is not None
    [forwarded] = [m for m in us_case["messages"] if m["id"] == held.json()["id"]]
    assert forwarded["subject"] == "Fwd: Shipping agent of container MSCU1234566"
    assert (forwarded["from_party"], forwarded["originator_party"]) == ("IN", "CA")


def _settled(trio: LiveTrio) -> Callable[[], None]:
    """Returns once every envelope queued so far has been delivered and applied: every
    node's queue to each peer is empty, twice in a row with no new traffic in between (a
    receipt comes back only after the receiver committed, and what applying queued is in
    the receiver's outbox by then)."""

    def counts() -> list[tuple[int, int, int]]:
        rows = []
        for node in trio.nodes:
            with node.api(f"{node.party.lower()}-admin") as api:
                peers = api.get("/api/v1/peers").json()
            rows += [(p["queue_depth"], p["delivered"], p["received"]) for p in peers]
        return rows

    def settle() -> None:
        seen: list[list[tuple[int, int, int]]] = []

        def quiet() -> bool:
            seen.append(counts())
            idle = all(depth == 0 for depth, _, _ in seen[-1])
            return idle and len(seen) > 1 and seen[-1] == seen[-2]

        wait_for(quiet, timeout=120, what="every envelope delivered and applied")

    return settle


def test_a_three_party_workplan_version_is_current_once_all_three_signed(
    live_trio: LiveTrio,
) -> None:
    apis = [workplan_trio.LiveApi(node) for node in live_trio.nodes]
    settle = _settled(live_trio)
    workplan_trio.adopt_plan(apis, settle)
    workplan_trio.signed_by_all(apis, settle)
    workplan_trio.one_rejection(apis, settle)
