"""The release artefact as an operator installs it: the wheel, in a fresh virtual
environment outside the repository, run from a directory that is not the checkout.

If templates, static files, migrations, rule packs or seed data were left out of the
wheel, ``init``, ``seed``, the sign-in page or the static file below would fail.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

import liaison
from tests.support.demo import run_demo
from tests.support.nodes import free_port, liaison_env, two_free_ports, wait_for, wait_healthy

pytestmark = pytest.mark.live

REPO = Path(__file__).resolve().parents[2]


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv")  # ``uv run`` names itself in $UV
    assert found, "uv is needed to build the wheel (make test runs pytest through uv)"
    return found


@dataclass
class Installed:
    bin: Path  # the fresh environment's bin/
    cwd: Path  # an empty directory outside the repository
    wheel: Path

    def env(self, **settings: str) -> dict[str, str]:
        env = liaison_env(LIAISON_PARTY="CA", LIAISON_DATA_DIR="node", **settings)
        env.pop("VIRTUAL_ENV", None)
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        return env

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.bin / "liaison"), *args],
            cwd=self.cwd,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    def spawn(self, *args: str, log: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [str(self.bin / "liaison"), *args],
            cwd=self.cwd,
            env=self.env(),
            stdout=(self.cwd / log).open("wb"),
            stderr=subprocess.STDOUT,
        )


def _install(uv: str, venv: Path, wheel: Path, requirements: Path) -> None:
    """Offline from uv's cache when it holds everything; else from PyPI (pinned by the lock)."""
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"} | {"VIRTUAL_ENV": str(venv)}
    base = [uv, "pip", "install", "--quiet", "-r", str(requirements), str(wheel)]
    offline = subprocess.run([*base, "--offline"], env=env, capture_output=True, check=False)
    if offline.returncode != 0:
        online = subprocess.run(base, env=env, capture_output=True, text=True, check=False)
        assert online.returncode == 0, online.stderr


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    uv = _uv()
    root = tmp_path_factory.mktemp("release")
    assert REPO not in root.parents, "the fresh environment must live outside the repository"
    dist = root / "dist"
    built = subprocess.run(
        [uv, "build", "--wheel", "--out-dir", str(dist), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("liaison-*.whl")
    requirements = root / "requirements.txt"
    exported = subprocess.run(
        [uv, "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--quiet"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert exported.returncode == 0, exported.stderr
    requirements.write_text(exported.stdout)
    venv = root / "venv"
    subprocess.run([uv, "venv", "--quiet", "--python", "3.11", str(venv)], check=True)
    _install(uv, venv, wheel, requirements)
    cwd = root / "operator"
    cwd.mkdir()
    return Installed(bin=venv / "bin", cwd=cwd, wheel=wheel)


def test_the_wheel_is_named_and_reports_this_version(installed: Installed) -> None:
    assert installed.wheel.name.startswith(f"liaison-{liaison.__version__}-")
    result = installed.run("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"liaison {liaison.__version__}"


def test_init_seed_serve_and_worker_from_the_installed_wheel(installed: Installed) -> None:
    init = installed.run("init")
    assert init.returncode == 0, init.stderr
    assert (installed.cwd / "node" / "liaison.db").is_file()
    seeded = installed.run("seed", "--demo")
    assert seeded.returncode == 0, seeded.stderr
    assert "seeded CA" in seeded.stdout

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = installed.spawn("serve", "--port", str(port), "--no-worker", log="serve.log")
    try:
        health = wait_healthy(url, server, log=installed.cwd / "serve.log")
        assert health["version"] == liaison.__version__
        assert health["migration"] == health["migration_head"]
        assert health["migration"]
        login = httpx.get(f"{url}/login", timeout=10)
        assert login.status_code == 200
        assert "<form" in login.text
        assert "password" in login.text
        french = httpx.get(f"{url}/login", headers={"Accept-Language": "fr-CA"}, timeout=10)
        assert '<html lang="fr"' in french.text
        assert "Ouvrir une session" in french.text  # the catalogues are in the wheel
        css = httpx.get(f"{url}/static/liaison.css", timeout=10)
        assert css.status_code == 200
        assert css.headers["content-type"].startswith("text/css")
        assert css.content == (REPO / "src/liaison/web/static/liaison.css").read_bytes()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)

    worker = installed.spawn("worker", log="worker.log")
    log = installed.cwd / "worker.log"
    try:
        wait_for(
            lambda: "running" in log.read_text() or worker.poll() is not None,
            timeout=120,
            what="the worker to start",
        )
        assert "running" in log.read_text(), log.read_text()
    finally:
        worker.send_signal(signal.SIGTERM)
        code = worker.wait(timeout=30)
    assert code == 0, log.read_text()
    assert "worker stopped" in log.read_text()


def test_demo_from_the_installed_wheel(installed: Installed) -> None:
    """The README's demo, from the wheel: both seeded nodes, peered, then Ctrl-C."""
    base_port = two_free_ports()
    command = [str(installed.bin / "liaison"), "demo", "--data-dir", "demo"]
    output = run_demo(
        [*command, "--base-port", str(base_port)], env=installed.env(), cwd=installed.cwd
    )
    assert "reached CA; CA accredited the officer" in output
    assert (installed.cwd / "demo" / "in" / "liaison.db").is_file()
