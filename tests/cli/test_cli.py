"""The ``liaison`` command as a user runs it: real subprocesses, real files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.nodes import liaison, liaison_env, run_liaison


@pytest.fixture(scope="module")
def node_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("cli-node")
    assert liaison(data_dir, "init").returncode == 0
    seeded = liaison(data_dir, "seed", "--demo")
    assert seeded.returncode == 0, seeded.stderr
    return data_dir


def test_help_is_everywhere() -> None:
    for args in ([], ["user"], ["directory"], ["demo"], ["serve"], ["init"]):
        result = liaison(Path("/nonexistent"), *args, "--help")
        assert result.returncode == 0, (args, result.stderr)
        assert "Usage" in result.stdout


def test_init_is_idempotent_and_keeps_the_secret(node_dir: Path) -> None:
    secret = (node_dir / "secret.key").read_text()
    assert oct((node_dir / "secret.key").stat().st_mode & 0o777) == "0o600"
    again = liaison(node_dir, "init")
    assert again.returncode == 0
    assert (node_dir / "secret.key").read_text() == secret
    reseed = liaison(node_dir, "seed", "--demo")
    assert "nothing new" in reseed.stdout


def test_directory_listing_shows_seeded_agencies(node_dir: Path) -> None:
    result = liaison(node_dir, "directory", "agencies")
    assert result.returncode == 0
    for acronym in ("RCMP", "CBSA", "FINTRAC", "IRCC"):
        assert acronym in result.stdout


def test_errors_are_one_clear_line_without_traceback(node_dir: Path) -> None:
    duplicate = liaison(node_dir, "directory", "add-agency", "RCMP", "Another police")
    assert duplicate.returncode == 1
    assert "Traceback" not in duplicate.stderr
    assert duplicate.stderr.strip().splitlines() == [
        "error: acronym: CA already has an agency with acronym 'RCMP'"
    ]
    weak = liaison(
        node_dir,
        "user",
        "add",
        "newbie",
        "--role",
        "viewer",
        "--agency",
        "x",
        "--password",
        "short",
    )
    assert weak.returncode == 1
    assert "Traceback" not in weak.stderr
    assert "password" in weak.stderr
    bad_role = liaison(node_dir, "user", "set-role", "ca-viewer", "emperor")
    assert bad_role.returncode == 2
    assert "Traceback" not in bad_role.stderr


def test_user_add_and_token(node_dir: Path) -> None:
    agencies = liaison(node_dir, "directory", "agencies").stdout
    rcmp_line = next(line for line in agencies.splitlines() if "RCMP" in line)
    agency_id = rcmp_line.split("│")[1].strip()
    added = liaison(
        node_dir,
        "user",
        "add",
        "rcmp.analyst",
        "--role",
        "analyst",
        "--agency",
        agency_id,
        "--password",
        "a long enough password",
    )
    assert added.returncode == 0, added.stderr
    listed = liaison(node_dir, "user", "list")
    assert "rcmp.analyst" in listed.stdout
    token = liaison(node_dir, "user", "token", "rcmp.analyst", "--name", "script")
    assert token.returncode == 0
    assert token.stdout.startswith("lsn_")


def test_serve_without_init_says_what_to_do(tmp_path: Path) -> None:
    result = liaison(tmp_path / "fresh", "serve")
    assert result.returncode == 1
    assert "run 'liaison init' first" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_party_setting_is_reported(tmp_path: Path) -> None:
    env = liaison_env(LIAISON_DATA_DIR=str(tmp_path), LIAISON_PARTY="Canada")
    result = run_liaison(env, "init")
    assert result.returncode == 1
    assert "party" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_party_is_a_clear_error_not_a_silent_canada(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "LIAISON_PARTY"}
    env["LIAISON_DATA_DIR"] = str(tmp_path)
    for command in (["init"], ["serve"]):
        result = subprocess.run(
            [sys.executable, "-m", "liaison", *command],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 1, command
        assert "set LIAISON_PARTY to this node's party" in " ".join(result.stderr.split())
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "liaison.db").exists()
