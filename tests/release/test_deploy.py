"""The deployment examples in deploy/: systemd units that systemd itself accepts, with
the hardening an operator expects; the compose file's services."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
UNITS = ("liaison-serve.service", "liaison-worker.service")


def _directives(unit: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in unit.read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, _, value = line.partition("=")
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_units_run_liaison_as_its_own_user_with_hardening() -> None:
    for name in UNITS:
        unit = _directives(DEPLOY / name)
        assert unit["User"] == ["liaison"], name
        assert unit["ProtectSystem"] == ["strict"], name
        assert unit["NoNewPrivileges"] == ["yes"], name
        assert unit["StateDirectory"] == ["liaison"], name
        assert unit["StateDirectoryMode"] == ["0700"], name
        assert unit["UMask"] == ["0077"], name
        assert unit["Environment"] == ["LIAISON_DATA_DIR=/var/lib/liaison"], name
        assert unit["CapabilityBoundingSet"] == [""], name
    assert "--no-worker" in _directives(DEPLOY / UNITS[0])["ExecStart"][0]
    assert _directives(DEPLOY / UNITS[1])["ExecStart"][0].endswith("liaison worker")


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    """``systemd-analyze verify``, with ExecStart pointing at this environment's liaison."""
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing (Debian package systemd)"
    here = str(Path(sys.executable).parent / "liaison")
    for name in UNITS:
        text = (DEPLOY / name).read_text().replace("/opt/liaison/bin/liaison", here)
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        [analyze, "verify", *(str(tmp_path / name) for name in UNITS)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Unknown key" not in result.stderr, result.stderr


def test_compose_runs_serve_and_worker_on_postgresql() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert services["db"]["image"].startswith("docker.io/library/postgres:")
    for name in ("serve", "worker"):
        url = services[name]["environment"]["LIAISON_DATABASE_URL"]
        assert url.startswith("postgresql+psycopg://"), name
    assert services["worker"]["command"] == ["liaison", "worker"]
    assert services["serve"]["ports"] == ["127.0.0.1:8701:8701"]
    for example in ("compose.yaml", "Containerfile"):
        assert "not built in CI" in (DEPLOY / example).read_text(), example
