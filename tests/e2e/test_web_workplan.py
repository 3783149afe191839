"""The workplan consent round in a real browser, across two live nodes: a Canadian officer
proposes, the Indian officer counter-proposes, the Canadian officer accepts; both nodes
then show version 2 with the same hash, signed by both. Then the dashboard's charts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.support.browser import reload_until, signed_in
from tests.support.nodes import LiveNode

pytestmark = [pytest.mark.browser, pytest.mark.live]
PROPOSALS = "/workplan/proposals"


def test_consent_round_across_two_nodes_then_dashboard(
    browser: Browser, node: LiveNode, india_node: LiveNode, artifacts: Path
) -> None:
    canada = signed_in(browser, node.url, "ca-officer", PROPOSALS)
    india = signed_in(browser, india_node.url, "in-officer", PROPOSALS)
    description = "Joint training on precursor identification"

    # Canada proposes, once each node knows the other's agencies (the directory exchange).
    for page, other in ((canada, "NCB"), (india, "CBSA")):
        option = f'#propose-form option[value="{other}"]'
        reload_until(
            page, "/workplan/proposals",
            lambda p, option=option: p.locator(option).count() > 0,
            f"{other} among the lead agencies",
        )  # fmt: skip
    form = canada.locator("#propose-form")
    form.get_by_label("Priority area").select_option(label="Illegal drugs and fentanyl precursors")
    form.get_by_label("Action").fill(description)
    form.get_by_label("Lead agency (CA)").select_option("CBSA")
    form.get_by_label("Lead agency (IN)").select_option("NCB")
    form.get_by_label(re.compile(r"^Milestone \(optional\)")).fill("First session held")
    form.get_by_label(re.compile(r"^Milestone due")).fill("2026-12-15")
    form.get_by_role("button", name="Send proposal").click()
    expect(canada.get_by_role("heading", name="Proposal from CA")).to_be_visible()
    expect(canada.locator("#proposal-status")).to_have_text("Open")

    # India counter-proposes a later date.
    reload_until(
        india, "/workplan/proposals",
        lambda p: p.locator("#proposals tbody tr").filter(has_text=description).count() > 0,
        "Canada's proposal at India",
    )  # fmt: skip
    india.locator("#proposals tbody tr").filter(has_text=description).get_by_role("link").click()
    expect(india.get_by_role("button", name="Accept and sign")).to_be_visible()
    counter = india.locator("#counter-form")
    expect(counter.get_by_label("Action")).to_have_value(description)
    counter.get_by_label(re.compile(r"^Milestone due")).fill("2027-01-20")
    counter.get_by_role("button", name="Send counter-proposal").click()
    expect(india.get_by_role("heading", name="Proposal from IN")).to_be_visible()
    expect(india.locator(".due")).to_have_text("2027-01-20")

    # Canada sees its proposal countered and accepts India's counter-proposal.
    reload_until(
        canada, "/workplan/proposals",
        lambda p: p.locator('#proposals tr[data-party="IN"]').count() > 0,
        "India's counter-proposal at Canada",
    )  # fmt: skip
    expect(canada.locator('#proposals tr[data-party="CA"] .status').first).to_have_text("Countered")
    canada.locator('#proposals tr[data-party="IN"]').first.get_by_role("link").click()
    canada.get_by_role("button", name="Accept and sign").click()
    expect(canada.locator("#proposal-status")).to_have_text(
        re.compile("Awaiting countersignature|Accepted")
    )

    # Both nodes show version 2, with the same hash, signed by both.
    hashes = []
    for page in (canada, india):
        reload_until(
            page, "/workplan/plan",
            lambda p: p.locator("#version-number").inner_text() == "2"
            and p.locator("#signatures li").filter(has_text="verified").count() == 2,
            "version 2 signed by both",
        )  # fmt: skip
        expect(page.get_by_text(description)).to_be_visible()
        expect(page.get_by_text("First session held (2027-01-20)")).to_be_visible()
        hashes.append(page.locator("#version-hash").inner_text())
    assert hashes[0] == hashes[1]
    canada.goto("/workplan/versions/2")
    expect(canada.locator("#diff")).to_contain_text(f"Added: {description}")

    # The dashboard: figures and two server-drawn charts, readable without scripts.
    canada.goto("/workplan")
    expect(canada.get_by_role("heading", name="Workplan dashboard")).to_be_visible()
    drugs = canada.locator("#areas tbody tr").filter(has_text="fentanyl precursors")
    expect(drugs.locator("td").first).to_have_text("2")
    expect(canada.get_by_role("img", name="Actions by status, per priority area")).to_be_visible()
    expect(canada.get_by_role("img", name=re.compile("^Milestones"))).to_be_visible()
    # exchange figures as the node computes them (the browser tests before this one may
    # have exchanged requests on this shared node)
    figures = canada.request.get("/api/v1/workplan/dashboard").json()["exchange"]
    if figures is None:
        expect(canada.locator("#exchange")).to_contain_text("No exchange data yet")
    for party in (figures or {}).get("parties", []):
        row = canada.locator("#exchange tbody tr", has_text=party["party_code"])
        expect(row.locator("td").first).to_have_text(str(party["requests_sent"]))
    with canada.expect_download() as download:
        canada.get_by_role("link", name="Joint report (PDF)").click()
    assert download.value.suggested_filename.startswith("workplan-joint-report-")
    canada.screenshot(path=str(artifacts / "workplan-dashboard.png"), full_page=True)
    canada.context.close()
    india.context.close()
