"""Browser tests: a real node process (init, demo seed, serve) and Debian's Chromium.

Never run ``playwright install``: the browser is the system's ``/usr/bin/chromium``.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

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
READY_WITHIN_SECONDS = 30.0
UI_TIMEOUT_MS = 15_000
expect.set_options(timeout=UI_TIMEOUT_MS)


@dataclass(frozen=True)
class Node:
    base_url: str
    data_dir: Path
    log: Path


def demo_password(username: str) -> str:
    return f"liaison-demo-{username}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _liaison(*args: str) -> list[str]:
    return [sys.executable, "-m", "liaison", *args]


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + READY_WITHIN_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the node exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the node was not healthy within {READY_WITHIN_SECONDS:.0f} s:\n{log.read_text()}")


@pytest.fixture(scope="session")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    """A Canadian node with the demo data, served on a free port."""
    data_dir = tmp_path_factory.mktemp("node-ca")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIAISON_")}
    env |= {
        "LIAISON_DATA_DIR": str(data_dir),
        "LIAISON_PARTY": "CA",
        "LIAISON_NODE_NAME": "liaison-ca",
    }
    for command in (("init",), ("seed", "--demo")):
        done = subprocess.run(
            _liaison(*command), env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, f"liaison {' '.join(command)} failed:\n{done.stderr}"
    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            _liaison("serve", "--port", str(port)), env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_healthy(base_url, process, log)
        yield Node(base_url=base_url, data_dir=data_dir, log=log)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
def page(browser: Browser, node: Node, request: pytest.FixtureRequest) -> Iterator[Page]:
    enabled = True
    if "javascript" in request.fixturenames:
        enabled = request.getfixturevalue("javascript")
    context = browser.new_context(
        base_url=node.base_url,
        viewport={"width": 1366, "height": 900},
        java_script_enabled=enabled,
    )
    page = context.new_page()
    # Two nodes, their workers and the browser share two cores: a sign-in (password
    # hashing) can take longer than Playwright's 5 s default while a worker is busy.
    page.set_default_timeout(UI_TIMEOUT_MS)
    yield page
    context.close()


SignIn = Callable[[Page, str], None]


@pytest.fixture
def sign_in() -> SignIn:
    """Open a page that needs a session, get sent to sign in, and come back to it."""

    def _sign_in(page: Page, username: str) -> None:
        page.goto("/directory/agencies")
        expect(page).to_have_url(re.compile(r"/login\?next=%2Fdirectory%2Fagencies$"))
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(demo_password(username))
        page.get_by_role("button", name="Sign in").click()
        expect(page).to_have_url(re.compile(r"/directory/agencies$"))
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    return _sign_in
