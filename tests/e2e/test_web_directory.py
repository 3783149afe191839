"""The directory in a real browser: sign in, add an agency, and the refusals users meet."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.support.browser import open_menu, sign_in

pytestmark = pytest.mark.browser


def new_acronym(prefix: str) -> str:
    """A fresh acronym, so tests sharing the node never collide."""
    return f"{prefix}{secrets.token_hex(2).upper()}"


def agency_row(page: Page, acronym: str) -> Locator:
    return page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=acronym))


def test_admin_adds_agency_after_fixing_a_duplicate_acronym(
    page: Page, javascript: bool, artifacts: Path
) -> None:
    sign_in(page, "ca-admin")
    open_menu(page, "Directory", "Agencies")
    expect(agency_row(page, "RCMP")).to_have_count(1)
    page.get_by_role("link", name="Add agency").click()
    expect(page.get_by_role("heading", name="Add an agency")).to_be_visible()

    name = page.get_by_label("Name", exact=True)
    acronym = page.get_by_label("Acronym")
    name.fill("Canada Precursor Control Unit")
    acronym.fill("RCMP")
    page.get_by_label("Drugs").check()
    page.get_by_label("Organised crime").check()
    if javascript:
        page.evaluate("() => { window.stillSamePage = true; }")
    page.get_by_role("button", name="Add agency").click()

    error = page.locator("#acronym-error")
    expect(error).to_contain_text("RCMP")
    expect(error).to_contain_text("already has an agency")
    expect(acronym).to_have_attribute("aria-invalid", "true")
    expect(acronym).to_have_attribute("aria-describedby", re.compile(r"\bacronym-error\b"))
    expect(page.get_by_role("alert")).to_contain_text("Acronym")
    # What the user typed is kept.
    expect(name).to_have_value("Canada Precursor Control Unit")
    expect(page.get_by_label("Drugs")).to_be_checked()
    expect(page.get_by_label("Organised crime")).to_be_checked()
    expect(page.locator("#name-error")).to_have_count(0)
    if javascript:  # htmx swapped the form in place: no page load happened
        assert page.evaluate("() => window.stillSamePage === true")

    fresh = new_acronym("CPCU" if javascript else "CPCN")
    acronym.fill(fresh)
    page.get_by_role("button", name="Add agency").click()

    expect(page).to_have_url(re.compile(r"/directory/agencies\?saved="))
    expect(page.get_by_role("status")).to_contain_text(fresh)
    row = agency_row(page, fresh)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Canada Precursor Control Unit")
    expect(row).to_contain_text("(CA)")
    expect(row).to_contain_text("Drugs")
    expect(row).to_contain_text("Organised crime")
    expect(row.get_by_role("link", name=f"Edit {fresh}")).to_be_visible()
    if javascript:
        page.screenshot(path=str(artifacts / "web-directory.png"), full_page=True)


def test_wrong_password_stays_on_login_without_a_session(page: Page) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill("ca-analyst")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_label("Username")).to_have_value("ca-analyst")
    expect(page.get_by_label("Password")).to_have_value("")
    assert "liaison_session" not in {c["name"] for c in page.context.cookies()}

    page.get_by_label("Password").fill("liaison-demo-ca-analyst")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()
    assert "liaison_session" in {c["name"] for c in page.context.cookies()}


def test_form_post_without_csrf_token_is_refused(page: Page) -> None:
    sign_in(page, "ca-admin")
    page.goto("/directory/agencies/new")
    # A forged form: no hidden token, and no token header from htmx either.
    page.evaluate(
        """() => {
            document.querySelector('#agency-form input[name=csrf_token]').remove();
            document.body.removeAttribute('hx-headers');
        }"""
    )
    forged = new_acronym("FORG")
    page.get_by_label("Name", exact=True).fill("Forged Agency")
    page.get_by_label("Acronym").fill(forged)
    page.get_by_role("button", name="Add agency").click()
    expect(page.get_by_role("heading", name="Forbidden")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("CSRF token")

    # The same post straight from another page's script, with the session cookie.
    response = page.request.post(
        "/directory/agencies/new",
        form={"name": "Forged Agency", "acronym": forged},
        headers={"Accept": "text/html"},
        max_redirects=0,
    )
    assert response.status == 403

    page.goto("/directory/agencies")
    expect(agency_row(page, "RCMP")).to_have_count(1)
    expect(agency_row(page, forged)).to_have_count(0)


def test_viewer_sees_no_add_control_and_cannot_post(page: Page) -> None:
    sign_in(page, "ca-viewer")
    expect(agency_row(page, "RCMP")).to_have_count(1)
    expect(page.get_by_role("link", name="Add agency")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile(r"^Edit "))).to_have_count(0)

    token = page.locator("form[action='/logout'] input[name=csrf_token]").input_value()
    assert token
    attempted = new_acronym("VIEW")
    response = page.request.post(
        "/directory/agencies/new",
        form={"csrf_token": token, "name": "Viewer Agency", "acronym": attempted},
        headers={"Accept": "text/html"},
        max_redirects=0,
    )
    assert response.status == 403
    assert "administrator" in response.text()

    page.reload()
    expect(agency_row(page, attempted)).to_have_count(0)
