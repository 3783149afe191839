"""Accessibility in a real browser: axe-core finds no serious or critical violation on any
page of the menus, nor on a case thread, a collection, a workplan action or the sign-in
page, each opened by a role that may see it."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from tests.support.browser import EVERY_PAGE, first_link, new_page, sign_in
from tests.support.nodes import LiveNode

pytestmark = pytest.mark.browser

# Who opens which pages: the administrator sees most; the others add what only they see
# (a case thread for the officer, the review queue with its actions for legal).
WALKS = {
    "ca-admin": EVERY_PAGE,
    "ca-officer": ("/exchange/compose", "/hitcheck", "/notifications"),
    "ca-legal": ("/policy/reviews", "/policy/protected-persons"),
}
SERIOUS = {"serious", "critical"}
AXE = Axe()


def _violations(page: Page) -> list[str]:
    results: dict[str, Any] = AXE.run(page).response
    return [
        f"{violation['id']} ({violation['impact']}): "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results["violations"]
        if violation["impact"] in SERIOUS
    ]


def _walk(page: Page, paths: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        response = page.goto(path)
        if response is None or response.status != 200:
            continue  # not this role's page: another walk opens it
        problems = _violations(page)
        if problems:
            found[path] = problems
    return found


def test_no_serious_or_critical_axe_violation_on_any_page(browser: Browser, node: LiveNode) -> None:
    signed_out = new_page(browser, node.url)
    # the checker is live: a page with an unnamed button and an image without text fails
    signed_out.set_content('<html lang="en"><body><img src="data:,"><button></button></body>')
    assert {v.split(" ")[0] for v in _violations(signed_out)} >= {"image-alt", "button-name"}
    failures = {f"/login (signed out): {p}": v for p, v in _walk(signed_out, ["/login"]).items()}
    signed_out.context.close()
    for username, paths in WALKS.items():
        page = new_page(browser, node.url)
        sign_in(page, username, "/notifications")
        details = [
            *first_link(page, "/exchange", "/exchange/cases/"),
            *first_link(page, "/cyber", "/cyber/collections/"),
            *first_link(page, "/workplan", "/workplan/actions/"),
        ]
        for path, problems in _walk(page, [*paths, *details]).items():
            failures[f"{path} ({username})"] = problems
        page.context.close()
    assert not failures, f"axe: serious or critical violations: {failures}"
