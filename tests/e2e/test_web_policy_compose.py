"""In a real browser: a disclosure about a refugee claimant who fears India, composed in
the exchange, is blocked by ca.non_refoulement with its citation; nothing is sent, and
the same person fearing another country goes through the same form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.test_web_exchange import PRECURSOR, fill_request
from tests.support.browser import reload_until, signed_in
from tests.support.nodes import LiveNode

pytestmark = [pytest.mark.browser, pytest.mark.live]


def test_refugee_claimant_disclosure_is_blocked_from_compose(
    browser: Browser, node: LiveNode, india_node: LiveNode
) -> None:
    officer = signed_in(browser, node.url, "ca-officer")
    reload_until(
        officer,
        "/exchange/compose",
        lambda p: p.locator("#to_agency_id option", has_text="NCB").count() > 0,
        "India's NCB among the recipients",
    )
    fill_request(officer, cas=PRECURSOR[0])
    form = officer.locator("#compose-form")
    form.get_by_label("Kind", exact=True).select_option("disclosure")
    form.get_by_label("Subject", exact=True).fill("Associate of the consignee")
    officer.get_by_role("button", name="Add an entity row").click()
    form = officer.locator("#compose-form")
    form.get_by_label("Kind", exact=True).select_option("disclosure")
    form.get_by_label("Subject", exact=True).fill("Associate of the consignee")
    form.get_by_label("Entity 2 kind").select_option("person")
    form.get_by_label("Entity 2 value").fill("Harjit Singh")
    form.get_by_label(re.compile(r"^Entity 2 protection status")).select_option("refugee_claimant")
    form.get_by_label(re.compile(r"^Entity 2 feared country")).fill("IN")
    form.get_by_role("button", name="Send", exact=True).click()
    expect(officer.get_by_text("ca.non_refoulement").first).to_be_visible()
    expect(officer.locator("body")).to_contain_text("IRPA s. 115")
    expect(officer).to_have_url(re.compile(r"/exchange/compose"))

    form = officer.locator("#compose-form")
    form.get_by_label(re.compile(r"^Entity 2 feared country")).fill("LK")
    form.get_by_role("button", name="Send", exact=True).click()
    expect(officer).to_have_url(re.compile(r"/exchange/cases/[0-9a-f-]+\?sent="))
