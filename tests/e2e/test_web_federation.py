"""Federation pages in a real browser: the empty state, then a live peer (a second node,
India) pinned both ways, a ping from the web, and the message log filtered."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from liaison.kit.crypto import format_fingerprint
from tests.support.browser import open_menu, reload_until, sign_in
from tests.support.nodes import LiveNode

pytestmark = [pytest.mark.browser, pytest.mark.live]


def open_federation(page: Page, link: str) -> None:
    open_menu(page, "Federation", link)


def log_rows(page: Page) -> Locator:
    return page.locator("#message-log tbody tr.log-row")


def wait_for_log(page: Page, query: str, predicate: Callable[[Locator], bool]) -> None:
    """Reload the log until the worker has settled what the test waits for."""
    reload_until(
        page, f"/federation/messages?{query}", lambda p: predicate(log_rows(p)), f"?{query}"
    )


def test_node_without_peers_says_how_to_pin_one(page: Page, node: LiveNode) -> None:
    sign_in(page, "ca-admin")
    open_federation(page, "Peers")
    expect(page.get_by_role("heading", name="Federation peers")).to_be_visible()
    expect(
        page.get_by_role("link", name="Peers", exact=True, include_hidden=True)
    ).to_have_attribute("aria-current", "page")
    empty = page.locator(".empty-state")
    expect(empty).to_contain_text("No peers are pinned yet")
    expect(empty).to_contain_text("liaison peer add --party IN --url")
    # This node's own fingerprint, grouped in fours, for reading out to a peer's operator.
    own = page.locator("#own-keys")
    expect(own).to_contain_text(format_fingerprint(node.fingerprint()))


def test_viewer_has_no_federation_pages(page: Page) -> None:
    sign_in(page, "ca-viewer")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Messages")).to_have_count(0)
    page.goto("/federation/messages")
    expect(page.get_by_role("heading", name="Forbidden")).to_be_visible()


def test_admin_pings_india_and_filters_the_log(
    page: Page,
    javascript: bool,
    india_node: LiveNode,
    artifacts: Path,
) -> None:
    sign_in(page, "ca-admin")
    open_federation(page, "Peers")
    peer = page.get_by_role("article", name=re.compile(r"India \(IN\)"))
    expect(peer).to_contain_text(india_node.url)
    expect(peer).to_contain_text(format_fingerprint(india_node.fingerprint()))
    peer.get_by_role("button", name="Ping IN").click()
    expect(page.get_by_role("status")).to_contain_text("Ping queued for India (IN)")
    if javascript:
        page.screenshot(path=str(artifacts / "web-federation-peers.png"), full_page=True)

    # The worker inside `liaison serve` delivers it; India's signed receipt settles it.
    wait_for_log(
        page,
        "type=federation.ping&status=delivered",
        lambda rows: rows.count() >= 1,
    )

    open_federation(page, "Messages")
    expect(page.get_by_role("heading", name="Federation message log")).to_be_visible()
    if javascript:
        page.evaluate("() => { window.stillSamePage = true; }")
    page.get_by_label("Status", exact=True).select_option("delivered")
    page.get_by_label("Type", exact=True).fill("federation.ping")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"status=delivered"))
    expect(page).to_have_url(re.compile(r"type=federation\.ping"))
    rows = log_rows(page)
    expect(rows.first).to_be_visible()
    for index in range(rows.count()):
        row = rows.nth(index)
        expect(row).to_contain_text("federation.ping")
        expect(row).to_contain_text("Outgoing")
        expect(row.locator(".badge")).to_have_text("Delivered")
        expect(row).to_contain_text("Signed")
    if javascript:  # htmx swapped the log in place and pushed the filtered URL
        assert page.evaluate("() => window.stillSamePage === true")
        expect(page.locator("#message-count")).to_contain_text("shown")

    # India published its directory to us when it pinned us: applied here.
    wait_for_log(page, "direction=in&status=applied", lambda rows: rows.count() >= 1)
    page.get_by_role("link", name="Clear filters").click()
    page.get_by_label("Peer", exact=True).select_option("IN")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"peer=IN"))
    expect(page.get_by_role("link", name="Clear filters")).to_be_visible()
    expect(page.locator("#message-log").get_by_text("Applied", exact=True).first).to_be_visible()
    expect(page.locator("#message-log").get_by_text("Delivered", exact=True).first).to_be_visible()
    if javascript:
        page.screenshot(path=str(artifacts / "web-federation.png"), full_page=True)
