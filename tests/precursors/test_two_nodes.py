"""Two live nodes (Canada's browser-test node and India's, pinned both ways): a
pre-export notification from India for 4-piperidone to a Canadian importer is answered
with an objection and becomes an exchange case on both sides, by API and by an officer in
a real browser."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from tests.precursors import payloads
from tests.support.browser import reload_until, signed_in
from tests.support.nodes import LiveNode, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.live]
REASON = "The importer holds no Canadian precursor licence; the consignee is a freight forwarder."


def _get(node: LiveNode, username: str, path: str) -> dict[str, Any] | None:
    with node.api(username) as api:
        response = api.get(path)
    return response.json() if response.status_code == 200 else None


def _agencies_known(node: LiveNode, india: LiveNode) -> None:
    def both() -> bool:
        with node.api("ca-officer") as api:
            ca = api.get("/api/v1/agencies", params={"party": "IN", "limit": 100}).json()
        with india.api("in-officer") as api:
            inn = api.get("/api/v1/agencies", params={"party": "CA", "limit": 100}).json()
        return bool(ca) and bool(inn)

    wait_for(both, what="each node's copy of the other's agencies")


def test_an_objection_to_a_pen_for_4_piperidone_becomes_a_case_on_both_nodes(
    node: LiveNode, india_node: LiveNode
) -> None:
    _agencies_known(node, india_node)
    with india_node.api("in-officer") as api:
        sent = api.post("/api/v1/precursors/notices", json=payloads.notice())
        assert sent.status_code == 201, sent.text
    notice = sent.json()
    assert notice["route"] == "IN-AE-CA"
    assert notice["status"] == "sent"
    path = f"/api/v1/precursors/notices/{notice['id']}"
    wait_for(lambda: _get(node, "ca-officer", path) is not None, what="the PEN in Canada")
    received = _get(node, "ca-officer", path)
    assert received is not None
    assert received["status"] == "received"
    assert received["substance_name"] == "4-Piperidone"
    assert received["container"] == "MSCU1234566"
    with node.api("ca-officer") as api:
        answered = api.post(
            f"{path}/answer", json={"outcome": "objection", "reason": REASON, "open_case": True}
        )
        assert answered.status_code == 200, answered.text
    case_id = answered.json()["case_id"]
    assert case_id

    def objected_in_india() -> bool:
        mine = _get(india_node, "in-officer", path)
        return mine is not None and mine["status"] == "objection"

    wait_for(objected_in_india, what="the objection in India")
    mine = _get(india_node, "in-officer", path)
    assert mine is not None
    assert mine["answer_reason"] == REASON
    assert mine["case_id"] == case_id
    case_path = f"/api/v1/exchange/cases/{case_id}"
    wait_for(lambda: _get(india_node, "in-officer", case_path) is not None, what="the case")
    case = _get(india_node, "in-officer", case_path)
    assert case is not None
    assert "4-Piperidone" in case["title"]
    entities = case["messages"][0]["entities"]
    assert {"kind": "chemical", "cas": payloads.FOUR_PIPERIDONE} in [
        {"kind": e["kind"], "cas": e.get("cas")} for e in entities if e["kind"] == "chemical"
    ]
    names = {e.get("name") for e in entities if e["kind"] == "organisation"}
    assert {"Vapi Fine Chemicals Pvt Ltd", "Pacific Freight Consolidators, Richmond BC"} <= names
    assert any(e["kind"] == "vessel" and e["imo"] == "9321483" for e in entities)
    assert any(e["kind"] == "shipment" and e["container"] == "MSCU1234566" for e in entities)


def test_an_officer_walks_a_pen_round_trip_across_both_nodes_in_a_browser(
    browser: Browser, node: LiveNode, india_node: LiveNode
) -> None:
    _agencies_known(node, india_node)
    india = signed_in(browser, india_node.url, "in-officer", "/precursors/notices/new")
    form = india.locator("#notice-form")
    form.get_by_label("Exporter", exact=True).fill("Surat Organics Pvt Ltd")
    form.get_by_label("Importer", exact=True).fill("Fraser Valley Labs Inc.")
    form.get_by_label("Importing party").fill("CA")
    form.get_by_label("Consignee").fill("Delta Freight Forwarding, Delta BC")
    form.get_by_label("Substance").select_option(payloads.FOUR_PIPERIDONE)
    form.get_by_label("Quantity").fill("120")
    form.get_by_label("Purpose").fill("Research use")
    form.get_by_label("Point of entry").fill("Port of Vancouver")
    form.get_by_label("Expected dispatch date").fill("2026-03-15")
    form.get_by_role("button", name="Send notification").click()
    expect(india.locator("#notice-status")).to_have_text("Sent")
    notice_url = india.url
    notice_id = notice_url.rstrip("/").rsplit("/", 1)[-1]

    canada = signed_in(browser, node.url, "ca-officer", "/precursors/notices?direction=in")
    reload_until(
        canada,
        "/precursors/notices?direction=in",
        lambda p: p.locator(f'tr[data-notice="{notice_id}"]').count() == 1,
        "India's notification in Canada's list",
    )
    canada.locator(f'tr[data-notice="{notice_id}"] a').click()
    expect(canada.locator("#notice-status")).to_have_text("Received")
    answer = canada.locator("#answer-form")
    answer.get_by_label("Answer", exact=True).select_option("objection")
    answer.get_by_label("Reason").fill(REASON)
    answer.get_by_label("Also open an exchange case").check()
    answer.get_by_role("button", name="Send answer").click()
    expect(canada.locator("#notice-status")).to_have_text("Objection")
    expect(canada.locator("#notice-case")).to_be_visible()

    reload_until(
        india,
        f"/precursors/notices/{notice_id}",
        lambda p: p.locator("#notice-status").inner_text() == "Objection",
        "the objection on India's page",
    )
    expect(india.locator("#notice-answer")).to_contain_text(REASON)
    reload_until(
        india,
        f"/precursors/notices/{notice_id}",
        lambda p: p.locator("#notice-case").count() == 1,
        "the case link on India's page",
    )
    india.locator("#notice-case").click()
    expect(india).to_have_url(re.compile(r"/exchange/cases/"))
    expect(india.get_by_role("heading", level=1)).to_contain_text("4-Piperidone")
