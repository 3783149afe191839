"""Browser-test fixtures (a pytest plugin): Canada's node as a real process with the demo
data, Debian's Chromium through Playwright, and India's node pinned both ways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, new_page
from tests.support.fixtures_live import Prepared
from tests.support.nodes import LiveNode


@pytest.fixture(scope="session")
def node(tmp_path_factory: pytest.TempPathFactory, prepared: Prepared) -> Iterator[LiveNode]:
    """A Canadian node with the demo data, served on a free port (shared by the session's
    browser tests: each makes what it needs with fresh names)."""
    canada = LiveNode(party="CA", data_dir=tmp_path_factory.mktemp("browser") / "ca")
    canada.prepare(like=prepared("CA"))
    try:
        yield canada.start()
    finally:
        canada.stop()


@pytest.fixture(scope="module")
def india_node(
    node: LiveNode, tmp_path_factory: pytest.TempPathFactory, prepared: Prepared
) -> Iterator[LiveNode]:
    """India's node, started, pinned at Canada's browser-test node and Canada at it; the
    pin is removed again when the module is done, leaving Canada's node as it was."""
    peer = LiveNode(party="IN", data_dir=tmp_path_factory.mktemp("browser") / "in")
    peer.prepare(like=prepared("IN"))
    # India's worker starts once both sides are pinned, so nothing it sends is refused.
    peer.start(with_worker=False)
    try:
        peer.cli(
            "peer", "add", "--party", "CA", "--url", node.url, "--fingerprint", node.fingerprint()
        )
        node.cli(
            "peer", "add", "--party", "IN", "--url", peer.url, "--fingerprint", peer.fingerprint()
        )
        peer.start_worker()
        yield peer
    finally:
        peer.stop()
    node.cli("peer", "remove", "IN")


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``test-artifacts/`` at the repository root: screenshots for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(params=[True, False], ids=["htmx", "no-js"])
def javascript(request: pytest.FixtureRequest) -> bool:
    """Run a test with JavaScript (htmx swaps) and without (plain form posts)."""
    enabled: bool = request.param
    return enabled


@pytest.fixture
def page(browser: Browser, node: LiveNode, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page on Canada's node, with JavaScript unless the test asks for ``javascript``."""
    enabled = True
    if "javascript" in request.fixturenames:
        enabled = request.getfixturevalue("javascript")
    page = new_page(browser, node.url, javascript=enabled)
    yield page
    page.context.close()
