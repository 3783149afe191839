"""Two live nodes (Canada's and India's, pinned both ways): Canada reports a controlled
delivery of 4-piperidone and opens its case; India receives the case with its kind and
plan; the consignment cannot move on Canada's authorisation alone; India authorises on
its own node (and cannot authorise for Canada); the consignment travels and is
delivered; both audit logs hold every change; a user outside the case's audience on
either node cannot read the plan. Then India's officer does it on the case page, in a
real browser."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from liaison.kit import clock
from tests.support.browser import reload_until, signed_in
from tests.support.nodes import LiveNode, wait_for

pytestmark = [pytest.mark.live]

INCIDENT = {
    "kind": "controlled_delivery",
    "substance_cas": "41661-47-6",
    "quantity": 120,
    "unit": "kg",
    "diversion_method": "mislabelling",
    "location": "Port of Vancouver",
    "occurred_on": "2026-03-02",
    "description": "Declared as dye intermediates; the CBSA laboratory confirmed 4-piperidone.",
    "exporter": "Vapi Fine Chemicals Pvt Ltd",
    "consignee": "Pacific Freight Consolidators, Richmond BC",
    "container": "MSCU1234566",
    "vessel_imo": "9321483",
}
RCMP = "Superintendent, RCMP Federal Policing, Pacific Region"
NCB = "Deputy Director General (Operations), Narcotics Control Bureau"


def _get(node: LiveNode, username: str, path: str) -> dict[str, Any] | None:
    with node.api(username) as api:
        response = api.get(path)
    return response.json() if response.status_code == 200 else None


def _post(node: LiveNode, username: str, path: str, body: dict[str, Any]) -> Any:
    with node.api(username) as api:
        return api.post(path, json=body)


def _status_is(node: LiveNode, username: str, path: str, status: str) -> bool:
    plan = _get(node, username, path)
    return plan is not None and plan["status"] == status


def _audited(node: LiveNode, admin: str, case_id: str) -> list[tuple[str, str]]:
    """(action, actor) of the node's audit entries on the plan, oldest first."""
    with node.api(admin) as api:
        page = api.get(
            "/api/v1/audit", params={"object_type": "precursors.delivery", "object_id": case_id}
        ).json()
    return [(e["action"], e["actor"]) for e in reversed(page["entries"])]


def _agencies_known(node: LiveNode, india: LiveNode) -> None:
    def both() -> bool:
        ca = _get(node, "ca-officer", "/api/v1/agencies?party=IN&limit=100")
        inn = _get(india, "in-officer", "/api/v1/agencies?party=CA&limit=100")
        return bool(ca) and bool(inn)

    wait_for(both, what="each node's copy of the other's agencies")


def test_a_controlled_delivery_is_coordinated_across_both_nodes(
    node: LiveNode, india_node: LiveNode
) -> None:
    _agencies_known(node, india_node)
    incident = _post(node, "ca-officer", "/api/v1/precursors/incidents", INCIDENT)
    assert incident.status_code == 201, incident.text
    opened = _post(
        node, "ca-officer", f"/api/v1/precursors/incidents/{incident.json()['id']}/case", {}
    )
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["case_id"]
    path = f"/api/v1/precursors/deliveries/{case_id}"

    # India sees the case with its kind, and the plan as Canada drafted it
    wait_for(lambda: _get(india_node, "in-officer", path) is not None, what="the plan in India")
    case = _get(india_node, "in-officer", f"/api/v1/exchange/cases/{case_id}")
    assert case is not None
    assert case["kind"] == "controlled_delivery"
    plan = _get(india_node, "in-officer", path)
    assert plan is not None
    assert plan["status"] == "proposed"
    assert plan["consignments"] == [{"container": "MSCU1234566", "vessel_imo": "9321483"}]
    assert plan["substance_name"] == "4-Piperidone"
    assert plan["awaiting"] == ["CA", "IN"]

    # Canada authorises; the consignment still cannot move
    now = clock.now().isoformat()
    mine = _post(node, "ca-officer", f"{path}/authorise",
                 {"party": "CA", "authorised_by": RCMP, "authorised_at": now})  # fmt: skip
    assert mine.status_code == 200, mine.text
    early = _post(node, "ca-officer", f"{path}/status", {"status": "in_transit"})
    assert early.status_code == 422
    assert early.json()["errors"][0] == {
        "field": "status",
        "message": "the consignment cannot travel under watch before both parties have "
        "authorised the delivery (waiting for IN)",
    }

    # India cannot authorise for Canada, and authorises for itself once Canada's arrived
    wait_for(
        lambda: (_get(india_node, "in-officer", path) or {}).get("awaiting") == ["IN"],
        what="Canada's authorisation in India",
    )
    for_canada = _post(india_node, "in-officer", f"{path}/authorise",
                       {"party": "CA", "authorised_by": NCB, "authorised_at": now})  # fmt: skip
    assert for_canada.status_code == 403
    theirs = _post(india_node, "in-officer", f"{path}/authorise",
                   {"party": "IN", "authorised_by": NCB, "authorised_at": now})  # fmt: skip
    assert theirs.status_code == 200, theirs.text
    assert theirs.json()["status"] == "authorised"
    assert "s. 50A" in theirs.json()["authorisations"][1]["legal_reference"]

    wait_for(lambda: _status_is(node, "ca-officer", path, "authorised"), what="authorised in CA")
    released = {"status": "in_transit", "note": "Released from Deltaport under watch"}
    moved = _post(node, "ca-officer", f"{path}/status", released)
    assert moved.status_code == 200, moved.text
    wait_for(lambda: _status_is(india_node, "in-officer", path, "in_transit"), what="in transit")
    done = _post(india_node, "in-officer", f"{path}/status",
                 {"status": "delivered", "note": "Receivers identified in Surrey BC"})  # fmt: skip
    assert done.status_code == 200, done.text
    wait_for(lambda: _status_is(node, "ca-officer", path, "delivered"), what="delivered in CA")

    plan = _get(node, "ca-officer", path)
    assert plan is not None
    assert [(e["party"], e["status"]) for e in plan["timeline"]] == [
        ("CA", "proposed"),
        ("CA", "proposed"),
        ("IN", "authorised"),
        ("CA", "in_transit"),
        ("IN", "delivered"),
    ]
    assert plan["timeline"][4]["note"] == "Receivers identified in Surrey BC"

    # each node's audit log has every change: its own by its officer, the peer's by node
    assert _audited(node, "ca-admin", case_id) == [
        ("precursors.delivery.plan", "user:ca-officer"),
        ("precursors.delivery.authorise", "user:ca-officer"),
        ("precursors.delivery.authorise", "node:IN"),
        ("precursors.delivery.status", "user:ca-officer"),
        ("precursors.delivery.status", "node:IN"),
    ]
    assert _audited(india_node, "in-admin", case_id) == [
        ("precursors.delivery.plan", "node:CA"),
        ("precursors.delivery.authorise", "node:CA"),
        ("precursors.delivery.authorise", "user:in-officer"),
        ("precursors.delivery.status", "node:CA"),
        ("precursors.delivery.status", "user:in-officer"),
    ]

    # outside the case's audience, on either node: no plan
    with node.api("ca-analyst") as api:  # CBSA: neither sender nor receiver of the case
        assert api.get(path).status_code == 404
    with india_node.api("in-viewer") as api:
        assert api.get(path).status_code == 404


def _opened_and_authorised_by_canada(node: LiveNode, india: LiveNode) -> str:
    _agencies_known(node, india)
    incident = _post(node, "ca-officer", "/api/v1/precursors/incidents", INCIDENT)
    assert incident.status_code == 201, incident.text
    opening = f"/api/v1/precursors/incidents/{incident.json()['id']}/case"
    case = _post(node, "ca-officer", opening, {})
    assert case.status_code == 201, case.text
    case_id = str(case.json()["case_id"])
    authorisation = {"party": "CA", "authorised_by": RCMP, "authorised_at": clock.now().isoformat()}
    mine = _post(node, "ca-officer", f"/api/v1/precursors/deliveries/{case_id}/authorise",
                 authorisation)  # fmt: skip
    assert mine.status_code == 200, mine.text
    return case_id


@pytest.mark.browser
def test_indias_officer_authorises_and_releases_the_delivery_on_the_case_page(
    browser: Browser, node: LiveNode, india_node: LiveNode
) -> None:
    case_id = _opened_and_authorised_by_canada(node, india_node)
    url = f"/exchange/cases/{case_id}"
    india = signed_in(browser, india_node.url, "in-officer", "/exchange")
    reload_until(
        india,
        url,
        lambda p: (
            p.locator('#delivery-authorisations li[data-party="CA"]:not(.muted)').count() == 1
        ),
        "Canada's authorisation on India's case page",
    )
    expect(india.locator('.page-head [data-case-kind="controlled_delivery"]')).to_be_visible()
    expect(india.locator("#delivery-plan")).to_contain_text("MSCU1234566")
    form = india.locator("#cd-authorise-form")
    form.get_by_label("Authorised by").fill(NCB)
    form.get_by_label("Authorised at").fill("2026-03-04T10:00")
    form.get_by_role("button", name="Record authorisation").click()
    expect(india.locator("#delivery-status")).to_contain_text("Authorised")
    expect(india.locator('#delivery-authorisations li[data-party="IN"]')).to_contain_text(NCB)
    moves = india.locator("#cd-status-form")
    moves.get_by_label("New status").select_option("in_transit")
    moves.get_by_label("Note").fill("Handed over to the RCMP at Deltaport")
    moves.get_by_role("button", name="Change status").click()
    expect(india.locator("#delivery-status")).to_contain_text("In transit")
    expect(india.locator("#delivery-timeline")).to_contain_text("Handed over to the RCMP")

    canada = signed_in(browser, node.url, "ca-officer", "/exchange")
    reload_until(
        canada,
        url,
        lambda p: "In transit" in p.locator("#delivery-status").inner_text(),
        "the delivery in transit on Canada's case page",
    )
    expect(canada.locator('#delivery-authorisations li[data-party="IN"]')).to_contain_text(NCB)
