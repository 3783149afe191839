"""French and Hindi in Chromium on a live node: an officer switches language, reads the
inbox, a thread, the legal review page and the dashboard in it, and finds it again after
signing out and in from another browser; a French browser gets French before sign-in.

Screenshots of the four pages per language go to test-artifacts/, or to the folder in
LIAISON_SCREENSHOTS_DIR (``make screenshots`` refreshes docs/screenshots/ this way)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.test_web_exchange import PRECURSOR, fill_request
from tests.support.accounts import demo_password
from tests.support.browser import ARTIFACTS, new_page, reload_until, signed_in
from tests.support.nodes import LiveNode

pytestmark = [pytest.mark.browser, pytest.mark.live]
SHOTS = Path(os.environ.get("LIAISON_SCREENSHOTS_DIR") or ARTIFACTS)

# Who reads each language (a user per language: the choice is kept on the shared node),
# and words a French- or Hindi-speaking officer sees on each page.
READERS = {
    "fr": (
        "ca-admin",
        {
            "inbox": "Boîte de réception des échanges",
            "thread": "Notes internes",
            "review": "Examen juridique",
            "dashboard": "Tableau de bord du plan de travail",
            "sign_out": "Fermer la session",
            "sign_in": "Ouvrir une session",
        },
    ),
    "hi": (
        "ca-legal",
        {
            "inbox": "आदान-प्रदान इनबॉक्स",
            "thread": "आंतरिक टिप्पणियाँ",
            "review": "विधिक समीक्षा",
            "dashboard": "कार्ययोजना डैशबोर्ड",
            "sign_out": "साइन आउट करें",
            "sign_in": "साइन इन करें",
        },
    ),
}


@pytest.fixture(scope="module")
def case_path(browser: Browser, node: LiveNode, india_node: LiveNode) -> str:
    """A case with a request to India in it (the thread the readers open)."""
    officer = signed_in(browser, node.url, "ca-officer", "/exchange/compose")
    reload_until(
        officer,
        "/exchange/compose",
        lambda p: p.locator("#to_agency_id option", has_text="NCB").count() > 0,
        "India's NCB among the recipients",
    )
    fill_request(officer, cas=PRECURSOR[0])
    officer.locator("#compose-form").get_by_role("button", name="Send", exact=True).click()
    expect(officer).to_have_url(re.compile(r"/exchange/cases/[0-9a-f-]+\?sent="))
    path = officer.url.split(node.url, 1)[1].split("?", 1)[0]
    officer.context.close()
    return path


def _shot(page: Page, language: str, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{language}-{name}.png"), full_page=False)


def _sign_in_by_field(page: Page, username: str, button: str) -> None:
    """Sign in whatever language the page speaks (fields by id, the button by its words)."""
    page.goto("/login?next=%2Fexchange")
    page.locator("#username").fill(username)
    page.locator("#password").fill(demo_password(username))
    page.get_by_role("button", name=button, exact=True).click()
    expect(page).to_have_url(re.compile(r"/exchange$"))


def _back_to_english(page: Page) -> None:
    page.goto("/")
    english = page.locator('#language-switch button[value="en"]')
    if english.is_enabled():
        english.click()
        expect(page.locator("html")).to_have_attribute("lang", "en")


@pytest.mark.parametrize("language", ["fr", "hi"])
def test_officer_reads_the_pages_in_the_chosen_language_and_keeps_it(
    browser: Browser, node: LiveNode, case_path: str, language: str
) -> None:
    username, words = READERS[language]
    page = signed_in(browser, node.url, username, "/exchange")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    again = new_page(browser, node.url)
    try:
        page.locator(f'#language-switch button[value="{language}"]').click()
        expect(page).to_have_url(re.compile(r"/exchange$"))
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.get_by_role("heading", level=1)).to_have_text(words["inbox"])
        _shot(page, language, "inbox")

        page.locator(f'#inbox tbody th a[href^="{case_path}"]').first.click()
        expect(page.locator("#notes-title")).to_contain_text(words["thread"])
        _shot(page, language, "thread")

        page.goto("/policy/reviews")
        expect(page.get_by_role("heading", level=1)).to_have_text(words["review"])
        _shot(page, language, "legal-review")

        page.goto("/workplan")
        expect(page.get_by_role("heading", level=1)).to_have_text(words["dashboard"])
        _shot(page, language, "dashboard")

        # Signed out, the sign-in page keeps speaking it (this browser's switcher cookie)…
        page.get_by_role("button", name=words["sign_out"]).click()
        expect(page.get_by_role("button", name=words["sign_in"])).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", language)
        # …and from another browser (English), signing in brings the saved choice back.
        _sign_in_by_field(again, username, "Sign in")
        expect(again.locator("html")).to_have_attribute("lang", language)
        expect(again.get_by_role("heading", level=1)).to_have_text(words["inbox"])
    finally:
        _back_to_english(again)
        page.context.close()
        again.context.close()


def test_a_french_browser_gets_french_before_and_after_sign_in(
    browser: Browser, node: LiveNode
) -> None:
    context = browser.new_context(base_url=node.url, locale="fr-CA")
    page = context.new_page()
    try:
        page.goto("/login")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.get_by_label("Nom d'utilisateur")).to_be_visible()
        _sign_in_by_field(page, "ca-viewer", "Ouvrir une session")
        expect(page.get_by_role("heading", level=1)).to_have_text(READERS["fr"][1]["inbox"])
        expect(page.get_by_role("link", name="Accueil")).to_be_visible()
    finally:
        context.close()
