"""In the browser, Send disables itself while the form is on its way (a static script;
the CSP allows no inline JavaScript), so a second click cannot post it again, and
comes back when the form returns with errors to correct."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Route, expect

from tests.e2e.test_web_exchange import PRECURSOR, fill_request
from tests.support.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.live]


@pytest.mark.parametrize("javascript", [True], ids=["htmx"], indirect=True)
def test_send_is_disabled_while_the_form_is_on_its_way(page: Page, javascript: bool) -> None:
    sign_in(page, "ca-officer")
    page.goto("/exchange/compose")
    fill_request(page, cas=PRECURSOR[0], to_agency=False)  # refused: no recipient chosen
    held: list[Route] = []

    def hold(route: Route) -> None:
        if route.request.method == "POST":
            held.append(route)  # the answer is slow to come
        else:
            route.continue_()

    page.route("**/exchange/compose", hold)
    send = page.locator("#compose-form").get_by_role("button", name="Send", exact=True)
    send.click()
    expect(send).to_be_disabled()
    expect(send).to_have_attribute("aria-busy", "true")
    assert len(held) == 1
    assert b"send" in (held[0].request.post_data_buffer or b"")  # the button's value went
    held[0].continue_()
    expect(page.locator(".error-summary")).to_contain_text("To agency")
    fresh = page.locator("#compose-form").get_by_role("button", name="Send", exact=True)
    expect(fresh).to_be_enabled()
