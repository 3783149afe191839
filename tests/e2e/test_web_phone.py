"""Phones and laptops in a real browser: at 390 px no page scrolls sideways, for every
role, in English, French and Hindi (French and Hindi labels are longer); at 1366 px the
header stays on one line in each language; the inbox becomes cards on a phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import select

from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.models import Notification, User
from liaison.web.i18n import LANGUAGE_COOKIE
from tests.support.browser import ARTIFACTS, EVERY_PAGE, first_link, sign_in
from tests.support.nodes import LiveNode

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Each role reads in one of the three languages, chosen with the footer's switcher (its
# cookie: the demo users have no saved preference), so every page is measured in French
# and in Hindi.
LANGUAGES = {
    "ca-officer": "fr",
    "ca-analyst": "hi",
    "ca-legal": "hi",
    "ca-admin": "fr",
    "ca-viewer": "en",
}
ROLES = tuple(LANGUAGES)
# The last elements outside the menu (which scrolls on its own) reaching past the right
# edge, in document order: what to fix when this test fails.
WIDEST = """width => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 0.5 && !e.closest('.site-nav'))
  .slice(-3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))
  .join(', ')"""


def _too_wide(page: Page, paths: list[str], width: int) -> dict[str, int]:
    wide = {}
    for path in paths:
        page.goto(path)
        scroll = int(page.evaluate("document.documentElement.scrollWidth"))
        if scroll > width:
            wide[f"{path} ({page.evaluate(WIDEST, width)})"] = scroll
    return wide


def _unread_notification_for_each(node: LiveNode, usernames: tuple[str, ...]) -> None:
    """The menu's unread count (with its hidden "unread" text) is part of the menu too.
    Saved language preferences (another module may have left one) are cleared, so the
    switcher's cookie decides."""
    engine = make_engine(node.sqlalchemy_url)
    try:
        with unit_of_work(make_session_factory(engine)) as db:
            users = db.scalars(select(User).where(User.username.in_(usernames)))
            for user in users:
                db.add(Notification(user_id=user.id, subject="A request is due soon"))
                user.language = None
    finally:
        engine.dispose()


def _read_in(page: Page, node: LiveNode, language: str) -> None:
    page.context.add_cookies([{"name": LANGUAGE_COOKIE, "value": language, "url": node.url}])
    page.reload()
    assert page.locator("html").get_attribute("lang") == language


def test_no_page_scrolls_sideways_on_a_phone(browser: Browser, node: LiveNode) -> None:
    _unread_notification_for_each(node, ROLES)
    wide: dict[str, dict[str, int]] = {}
    for username in ROLES:
        context = browser.new_context(base_url=node.url, viewport=PHONE)
        page = context.new_page()
        sign_in(page, username, "/notifications")
        _read_in(page, node, LANGUAGES[username])
        details = [
            *first_link(page, "/exchange", "/exchange/cases/"),
            *first_link(page, "/cyber", "/cyber/collections/"),
            *first_link(page, "/workplan", "/workplan/actions/"),
        ]
        found = _too_wide(page, [*EVERY_PAGE, *details], PHONE["width"])
        if found:
            wide[username] = found
        context.close()
    assert not wide, f"pages wider than {PHONE['width']} px (scrollWidth): {wide}"


def test_header_one_line_at_1366_and_inbox_cards_on_a_phone(
    browser: Browser, node: LiveNode
) -> None:
    wraps = []
    context = browser.new_context(base_url=node.url, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    sign_in(page, "ca-admin", "/exchange")  # the role with the most links
    for language in ("fr", "hi", "en"):  # English last: the phone checks below
        _read_in(page, node, language)
        page.goto("/exchange")
        page.screenshot(path=str(ARTIFACTS / f"header-1366-admin-{language}.png"))
        nav = page.locator(".site-nav > ul")
        first = page.locator(".site-nav > ul > li").first
        nav_box, link_box = nav.bounding_box(), first.bounding_box()
        assert nav_box is not None
        assert link_box is not None
        if nav_box["height"] >= 2 * link_box["height"]:
            wraps.append(language)
    assert not wraps, f"the main menu wraps at 1366 px in {wraps}"
    page.set_viewport_size(PHONE)
    page.reload()
    page.screenshot(path=str(ARTIFACTS / "inbox-390-admin.png"), full_page=True)
    header = page.locator(".site-header").bounding_box()
    assert header is not None
    assert header["height"] <= 140, f"header takes {header['height']} px on a phone"
    page.goto("/directory/agencies")
    card = page.locator("#agencies tbody tr").first
    assert card.evaluate("row => getComputedStyle(row).display") == "block"  # a card
    assert card.locator("td").first.get_attribute("data-label") == "Name"
    context.close()
