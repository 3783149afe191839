"""The policy explain page in a real browser: a blocked draft with its legal explanation."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.browser import sign_in

pytestmark = pytest.mark.browser


def test_officer_sees_why_a_draft_is_blocked_then_fixes_it(
    page: Page, javascript: bool, artifacts: Path
) -> None:
    sign_in(page, "ca-officer")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Policy").click()
    expect(page.get_by_role("heading", name="Check a draft against the rules")).to_be_visible()
    page.get_by_label("Legal basis (optional)", exact=True).fill("police_cooperation")
    page.get_by_label("Contains personal data").check()
    page.get_by_label("Protection status of the person").select_option("refugee_claimant")
    page.get_by_label("Feared country").fill("IN")
    page.get_by_role("button", name="Check").click()

    panel = page.locator("#explain-panel")
    expect(panel.locator("#explain-panel-title")).to_contain_text("Blocked")
    rule = panel.locator('[data-rule-id="ca.non_refoulement"]')
    expect(rule).to_contain_text("Convention relating to the Status of Refugees (1951), art. 33")
    expect(rule).to_contain_text("fears IN")
    if javascript:
        page.screenshot(path=str(artifacts / "policy-explain-blocked.png"), full_page=True)

    page.get_by_label("Feared country").fill("LK")
    page.get_by_role("button", name="Check").click()
    expect(panel.locator("#explain-panel-title")).to_contain_text("Allowed with obligations")
    expect(panel.locator('[data-rule-id="ca.non_refoulement"]')).to_have_count(0)
    expect(panel).to_contain_text("Record disclosure")
