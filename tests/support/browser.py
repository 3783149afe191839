"""Browser helpers: Debian's Chromium (never ``playwright install``), pages on a node,
and the one way a browser test signs in."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect

from liaison.domains import registry
from tests.support.accounts import demo_password

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Two nodes, their workers and the browser share two cores: a sign-in (password hashing)
# can take longer than Playwright's 5 s default while a worker is busy.
UI_TIMEOUT_MS = 15_000
SETTLE_WITHIN_SECONDS = 90.0
expect.set_options(timeout=UI_TIMEOUT_MS)

# Every page of the menus, for whoever may open it (the phone and accessibility walks).
EVERY_PAGE = (
    "/",
    "/exchange",
    "/exchange/compose",
    "/workplan",
    "/workplan/proposals",
    "/workplan/versions",
    "/workplan/dialogue",
    "/cyber",
    "/directory/parties",
    "/directory/agencies",
    "/directory/officers",
    "/policy/explain",
    "/policy/reviews",
    "/notifications",
    "/preferences",
    "/retention",
    "/audit",
    "/federation/peers",
    "/federation/messages",
    "/policy/protected-persons",
    # every page a domain adds to the menu (hit/no-hit, precursors, networks, ...)
    *(link.href for plugin in registry().plugins for link in plugin.nav),
)


def new_page(browser: Browser, base_url: str, *, javascript: bool = True) -> Page:
    """A page in a fresh browser context (no cookies) on the node at ``base_url``."""
    context = browser.new_context(
        base_url=base_url,
        viewport={"width": 1366, "height": 900},
        java_script_enabled=javascript,
    )
    page = context.new_page()
    page.set_default_timeout(UI_TIMEOUT_MS)
    return page


def sign_in(page: Page, username: str, path: str = "/directory/agencies") -> Page:
    """Open ``path``, which needs a session, get sent to sign in as a demo user, and come
    back to it signed in."""
    page.goto(path)
    expect(page).to_have_url(re.compile(re.escape(f"/login?next={quote(path, safe='')}") + "$"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo_password(username))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return page


def signed_in(
    browser: Browser, base_url: str, username: str, path: str = "/directory/agencies"
) -> Page:
    """A new page on the node at ``base_url``, signed in as ``username``, at ``path``."""
    return sign_in(new_page(browser, base_url), username, path)


def reload_until(
    page: Page,
    url: str,
    ready: Callable[[Page], bool],
    what: str,
    within: float = SETTLE_WITHIN_SECONDS,
) -> None:
    """Reload ``url`` until ``ready`` says the nodes have settled what the test waits for."""
    deadline = time.monotonic() + within
    while True:
        page.goto(url)
        if ready(page):
            return
        if time.monotonic() > deadline:
            pytest.fail(f"never saw {what} at {url}")
        time.sleep(0.5)


def open_menu(page: Page, group: str, link: str) -> None:
    """Follow a link of a grouped slot of the main menu (Directory, Federation): open the
    group as a user does, then click the link."""
    nav = page.get_by_role("navigation", name="Main")
    nav.locator("summary", has_text=group).click()
    nav.get_by_role("list", name=group).get_by_role("link", name=link).click()


def first_link(page: Page, path: str, prefix: str) -> list[str]:
    """The first link under ``main`` on ``path`` whose address starts with ``prefix``."""
    page.goto(path)
    hrefs: list[str] = page.eval_on_selector_all(
        f'main a[href^="{prefix}"]', "links => links.map(a => a.getAttribute('href'))"
    )
    return [href.split("#", 1)[0] for href in hrefs[:1]]
