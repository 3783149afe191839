"""The exchange web UI in a real browser, across two live nodes: a Canadian officer composes
a request about a fentanyl-precursor shipment, India's officer finds it in India's inbox and
replies, and Canada's thread shows the reply under the request. Also: an invalid CAS number
is refused naming the field (nothing is sent), and an overdue request is marked in the inbox.

French and Hindi (on the same two nodes, which are started once for this file): an officer
switches language, reads the inbox, a thread, the legal review page and the dashboard in it,
and finds it again after signing out and in from another browser; a French browser gets
French before sign-in. Screenshots of the four pages per language go to test-artifacts/, or
to the folder in LIAISON_SCREENSHOTS_DIR (``make screenshots`` refreshes docs/screenshots/
this way).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from liaison.config import Settings
from liaison.exchange.federation import MESSAGE
from liaison.kit import clock
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.models import Agency
from tests.exchange import payloads
from tests.support.accounts import demo_password
from tests.support.browser import ARTIFACTS, new_page, reload_until, sign_in, signed_in
from tests.support.nodes import LiveNode, wait_for
from tests.support.peering import apply_inbound

pytestmark = [pytest.mark.browser, pytest.mark.live]
PRECURSOR = ("41661-47-6", "4-piperidone")  # CAS check digit: 6 (7+8+3+24+30+6+28=106)
SUBJECT = "Exporter of a 4-piperidone consignment, container MSCU1234566"
COURIER = "Repeat heroin courier booked Toronto to Amritsar"


def fill_request(page: Page, *, cas: str, to_agency: bool = True) -> None:
    """The compose form for a precursor request, with the chemical as the first entity."""
    form = page.locator("#compose-form")
    form.get_by_label("Case title").fill("Fentanyl precursor shipment Mundra to Vancouver")
    form.get_by_label("Kind", exact=True).select_option("request")
    form.get_by_label("Priority", exact=True).select_option("high")
    if to_agency:
        form.get_by_label("To agency").select_option(label="NCB — Narcotics Control Bureau (IN)")
    form.get_by_label("Subject", exact=True).fill(SUBJECT)
    form.get_by_label("Message (optional)", exact=True).fill(
        "400 kg declared as a pharmaceutical intermediate. Please identify the exporter."
    )
    form.get_by_label("Drug trafficking").check()
    form.get_by_label("Source reliability").select_option("B")
    form.get_by_label("Information credibility").select_option("2")
    form.get_by_label("Legal basis", exact=True).select_option("police_cooperation")
    form.get_by_label("Legal basis reference (optional)").fill("Liaison arrangement, para 4")
    form.get_by_label("Purpose", exact=True).fill("criminal investigation: precursor diversion")
    form.get_by_label("Entity 1 kind").select_option("chemical")
    form.get_by_label("Entity 1 value").fill(cas)
    form.get_by_label("Entity 1 detail (optional)").fill(PRECURSOR[1])


def test_invalid_cas_number_is_refused_naming_the_field(page: Page, javascript: bool) -> None:
    sign_in(page, "ca-officer")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Exchange").click()
    expect(page.get_by_role("heading", name="Exchange inbox")).to_be_visible()
    page.get_by_role("link", name="Compose").click()
    fill_request(page, cas="41661-47-5", to_agency=False)  # wrong check digit
    page.get_by_role("button", name="Send", exact=True).click()
    error = page.locator("#entity-0-error")
    expect(error).to_contain_text("Entity 1 (chemical), CAS number: is not a valid CAS number")
    expect(page.get_by_label("Entity 1 value")).to_have_value("41661-47-5")
    expect(page.locator(".error-summary")).to_contain_text("CAS number")
    page.goto("/exchange?q=mscu1234566")
    expect(page.locator("#inbox-empty")).to_be_visible()


def test_request_answered_across_two_nodes_in_the_browser(
    browser: Browser, node: LiveNode, india_node: LiveNode, artifacts: Path
) -> None:
    canada = signed_in(browser, node.url, "ca-officer")
    india = signed_in(browser, india_node.url, "in-officer")
    reload_until(
        canada,
        "/exchange/compose",
        lambda p: p.locator("#to_agency_id option", has_text="NCB").count() > 0,
        "India's NCB among the recipients",
    )
    fill_request(canada, cas=PRECURSOR[0])
    canada.get_by_role("button", name="Add an entity row").click()
    canada.get_by_label("Entity 2 kind").select_option("shipment")
    canada.get_by_label("Entity 2 value").fill("MSCU1234566")
    canada.get_by_role("button", name="Check for duplicates").click()
    expect(canada.locator("#deconflict-none, #deconflict-hits")).to_be_visible()
    canada.get_by_role("button", name="Check duplicates and policy").click()
    expect(canada.locator("#explain-panel")).to_contain_text("Allowed")
    canada.locator("#compose-form").get_by_role("button", name="Send", exact=True).click()
    expect(canada).to_have_url(re.compile(r"/exchange/cases/[0-9a-f-]+\?sent="))
    request_id = canada.url.rsplit("sent=", 1)[1]
    request = canada.locator(f"#message-{request_id}")
    expect(request).to_contain_text(f"Chemical: {PRECURSOR[1]} (CAS {PRECURSOR[0]})")
    expect(request).to_contain_text("TLP:AMBER")

    # India finds it in its inbox, with its markings and deadline, and replies.
    row = india.locator(f'#inbox tr[data-message-id="{request_id}"]')
    reload_until(india, "/exchange?q=4-piperidone", lambda p: row.count() > 0, "the request")
    expect(row).to_contain_text("TLP:AMBER")
    expect(row).to_contain_text("On time")
    row.get_by_role("link", name=SUBJECT).click()
    reply = india.locator("#reply-form")
    reply.get_by_label("Outcome").select_option("answered")
    reply.get_by_label("Message", exact=True).fill(
        "Exporter: Shree Chem Traders, Ankleshwar; licence NCB/2026/114."
    )
    reply.get_by_role("button", name="Send reply").click()
    replies = india.locator(f"#message-{request_id} .thread--replies [data-type='reply']")
    expect(replies).to_have_count(1)

    # Canada's thread shows the reply threaded under the request.
    threaded = f"#message-{request_id} .thread--replies [data-type='reply']"
    reload_until(
        canada,
        canada.url.split("?")[0],
        lambda p: p.locator(threaded).count() > 0,
        "India's reply in Canada's thread",
    )
    expect(canada.locator(threaded)).to_contain_text("Shree Chem Traders")
    expect(canada.locator(f"#message-{request_id} .badge--answered").first).to_be_visible()
    shot = artifacts / "exchange-thread.png"
    canada.screenshot(path=str(shot), full_page=True)
    canada.context.close()
    india.context.close()


@pytest.fixture
def ca_database(node: LiveNode) -> Iterator[Any]:
    settings = Settings(party="CA", node_name="liaison-ca", data_dir=node.data_dir)
    engine = make_engine(settings.effective_database_url)
    try:
        yield settings, make_session_factory(engine)
    finally:
        engine.dispose()


def test_overdue_request_is_marked_in_the_inbox(
    page: Page, india_node: LiveNode, ca_database: Any
) -> None:
    """A request India sent two days ago (urgent: 8 hours to answer) arrives with its old
    receipt time, applied as the inbox applies it."""
    settings, factory = ca_database

    def agencies() -> dict[str, str]:
        with unit_of_work(factory) as db:
            rows = db.execute(select(Agency.party_code, Agency.acronym, Agency.id)).all()
        return {f"{party}:{acronym}": agency_id for party, acronym, agency_id in rows}

    wait_for(lambda: "IN:CBI" in agencies(), what="India's agencies at Canada")
    request = payloads.inbound(agencies(), subject="Subscriber of +1 604 555 0199 (overdue)")
    received = datetime.now(UTC) - timedelta(days=2)
    clock.set_clock(lambda: received)
    try:
        apply_inbound(factory, settings, MESSAGE, request)
    finally:
        clock.reset_clock()
    sign_in(page, "ca-officer")
    page.goto("/exchange")
    page.get_by_label("Due soon or overdue").check()
    page.get_by_role("button", name="Filter").click()
    row = page.locator(f'#inbox tr[data-message-id="{request["id"]}"]')
    expect(row).to_have_attribute("data-due-state", "overdue")
    expect(row.locator(".badge--overdue")).to_have_text("Overdue")
    # at 1366 px the columns keep their words whole (one shrank to a letter a line once)
    lines = row.locator("td[data-label='Kind']").evaluate(
        "cell => { const r = document.createRange(); r.selectNodeContents(cell);"
        " return new Set([...r.getClientRects()].map(box => Math.round(box.top))).size; }"
    )
    assert lines == 1, f"the kind 'Request' takes {lines} lines in the inbox at 1366 px"


def test_death_penalty_disclosure_passes_legal_review_then_reaches_india(
    browser: Browser, node: LiveNode, india_node: LiveNode, artifacts: Path
) -> None:
    """Canada's policy holds a disclosure whose offence can carry the death penalty in
    India (NDPS Act s.31A); a legal reviewer records the assurance and approves it in the
    browser; only then does it leave, and India's officer sees it."""
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
    form.get_by_label("Subject", exact=True).fill(COURIER)
    form.get_by_label(re.compile(r"^Repeat NDPS offence")).check()
    form.get_by_role("button", name="Send", exact=True).click()
    expect(officer).to_have_url(re.compile(r"/exchange/cases/[0-9a-f-]+\?sent="))
    message_id = officer.url.rsplit("sent=", 1)[1]
    expect(officer.locator(f"#message-{message_id}")).to_contain_text("legal review")

    reviewer = signed_in(browser, node.url, "ca-legal")
    reviewer.goto("/policy/reviews")
    item = reviewer.locator(".review-item", has_text=message_id)
    expect(item).to_contain_text("ca.burns.death_penalty_assurance")
    expect(item).to_contain_text("United States v. Burns")
    item.get_by_role("link", name="Read the held message in its thread").click()
    expect(reviewer.locator(f"#message-{message_id}")).to_contain_text(COURIER)
    reviewer.goto("/policy/reviews")
    assurance = reviewer.locator("#assurance-form")
    assurance.get_by_label("Reference").fill(f"DPA-{message_id[-8:]}")
    assurance.get_by_label("Date").fill("2026-03-30")
    assurance.get_by_label("Given by", exact=True).fill(
        "Ministry of Home Affairs, Government of India"
    )
    assurance.get_by_label(re.compile(r"^Given by \(state\)")).fill("IN")
    assurance.get_by_label("Text of the assurance").fill(
        "The death penalty will not be sought or carried out in this case."
    )
    assurance.get_by_role("button", name="Record assurance").click()
    expect(reviewer.locator("#assurance-list")).to_contain_text(f"DPA-{message_id[-8:]}")
    item = reviewer.locator(".review-item", has_text=message_id)
    item.get_by_label("Decision", exact=True).select_option("approved")
    item.get_by_label("Reasons", exact=True).fill(
        "Assurance received from the Government of India."
    )
    # the recorded assurance that covers the item is offered: picked, not retyped
    picked = item.get_by_label(re.compile(r"^Assurance \(optional\)"))
    picked.select_option(f"DPA-{message_id[-8:]}")
    reviewer.screenshot(path=str(artifacts / "legal-review.png"), full_page=True)
    item.get_by_role("button", name="Record decision").click()
    expect(reviewer).to_have_url(re.compile(r"/policy/reviews\?status=approved"))
    decided = reviewer.locator(".review-item", has_text=message_id)
    expect(decided).to_contain_text(f"Released on the recorded assurance DPA-{message_id[-8:]}")

    india = signed_in(browser, india_node.url, "in-officer")
    row = india.locator(f'#inbox tr[data-message-id="{message_id}"]')
    reload_until(india, "/exchange?q=courier", lambda p: row.count() > 0, "the disclosure")
    expect(row).to_contain_text("TLP:AMBER")
    for page in (officer, reviewer, india):
        page.context.close()


# --- French and Hindi -------------------------------------------------------------------

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
