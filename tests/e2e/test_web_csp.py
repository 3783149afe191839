"""Under the strict Content-Security-Policy every page still works: the API docs render
Swagger UI from this node's own files, and signed-in pages (htmx included) report no
CSP violation in the browser console."""

from __future__ import annotations

from playwright.sync_api import ConsoleMessage, Page, Request, expect

from tests.support.browser import sign_in
from tests.support.nodes import LiveNode


def _watch(page: Page) -> tuple[list[str], list[str]]:
    violations: list[str] = []
    foreign: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Refused to" in message.text:
            violations.append(message.text)

    def on_request(request: Request) -> None:
        if not request.url.startswith(("http://127.0.0.1", "data:")):
            foreign.append(request.url)

    page.on("console", on_console)
    page.on("request", on_request)
    return violations, foreign


def test_api_docs_render_from_this_node_under_the_csp(page: Page, node: LiveNode) -> None:
    violations, foreign = _watch(page)
    response = page.goto("/api/docs")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.get_by_text("/api/v1/parties").first).to_be_visible()
    assert violations == []
    assert foreign == []


def test_signed_in_pages_report_no_csp_violation(page: Page) -> None:
    violations, foreign = _watch(page)
    sign_in(page, "ca-admin")
    for path in ("/", "/directory/officers", "/exchange", "/cyber", "/workplan"):
        page.goto(path)
        expect(page.locator("main")).to_be_visible()
    assert violations == []
    assert foreign == []
