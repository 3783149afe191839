"""Cyber in a real browser across two live nodes: the demo's seeded indicators reach the
peer's mirror when the nodes pin each other, and an analyst adds an indicator from the
collection page and revokes it; the revocation reaches India's mirror."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from liaison.cyber.taxii_http import TAXII_MEDIA_TYPE
from tests.support.browser import sign_in
from tests.support.nodes import LiveNode, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.live]


def _taxii_objects(node: LiveNode, username: str, title: str) -> list[dict[str, Any]]:
    """The latest objects of the collection titled ``title`` at ``node`` ([] if absent)."""
    headers = {"Accept": TAXII_MEDIA_TYPE}
    with node.api(username) as api:
        listed = api.get("/taxii2/cti/collections/", headers=headers).json()
        ids = [c["id"] for c in listed.get("collections", []) if c["title"] == title]
        if not ids:
            return []
        page = api.get(f"/taxii2/cti/collections/{ids[0]}/objects/", headers=headers).json()
        found: list[dict[str, Any]] = page.get("objects", [])
        return found


def test_seeded_indicators_mirror_and_an_analyst_adds_and_revokes(
    page: Page, node: LiveNode, india_node: LiveNode
) -> None:
    # India's seeded CERT-In indicators were sent when the nodes pinned each other.
    wait_for(
        lambda: len(_taxii_objects(node, "ca-analyst", "CERT-In indicators")) >= 3,
        what="CERT-In's seeded indicators in Canada's mirror",
    )
    sign_in(page, "ca-analyst", "/cyber")
    page.get_by_role("link", name="CERT-In indicators").first.click()
    expect(page.get_by_text("Phishing domain impersonating an Indian bank")).to_be_visible()
    expect(page.locator("#indicator-form")).to_have_count(0)  # a mirror is read-only

    page.goto("/cyber")
    page.get_by_role("link", name="CCCS indicators").first.click()
    form = page.locator("#indicator-form")
    form.get_by_label("Name").fill("Browser-added scanner")
    form.get_by_label("STIX pattern").fill("[ipv4-addr:value = '192.0.2.77'")
    form.get_by_label("Marking").select_option("GREEN")
    form.get_by_role("button", name="Add indicator").click()
    expect(page.locator("#pattern-error")).to_be_visible()  # the bracket is missing
    expect(page.locator("#indicator-form").get_by_label("Name")).to_have_value(
        "Browser-added scanner"
    )
    page.locator("#indicator-form").get_by_label("STIX pattern").fill(
        "[ipv4-addr:value = '192.0.2.77']"
    )
    page.locator("#indicator-form").get_by_role("button", name="Add indicator").click()
    expect(page).to_have_url(re.compile(r"/objects/indicator--[0-9a-f-]+$"))
    expect(page.get_by_text("Browser-added scanner").first).to_be_visible()
    expect(page.locator("main .tlp").first).to_contain_text("GREEN")
    stix_id = page.url.rsplit("/", 1)[-1]

    page.get_by_role("button", name="Revoke this indicator").click()
    expect(page.locator(".badge--refused").first).to_contain_text("revoked")
    expect(page.get_by_role("button", name="Revoke this indicator")).to_have_count(0)

    def revoked_in_india() -> bool:
        mirrored = _taxii_objects(india_node, "in-analyst", "CCCS indicators")
        return any(o["id"] == stix_id and o.get("revoked") is True for o in mirrored)

    wait_for(revoked_in_india, timeout=90, what="the revocation in India's CCCS mirror")
