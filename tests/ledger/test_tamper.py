"""Tampering with the audit log in the database, as an intruder would (raw SQL):
``liaison audit verify`` fails, exits non-zero and names the entry. SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from liaison.cli.main import app as cli_app
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.ledger.service import record
from tests.ledger.tamper import rehash_all

ENTRIES = 12


def _env(url: str, data_dir: Path) -> dict[str, str]:
    return {
        "LIAISON_DATABASE_URL": url,
        "LIAISON_DATA_DIR": str(data_dir),
        "LIAISON_PARTY": "CA",
        "COLUMNS": "200",
    }


def verify_in_process(url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """``liaison audit verify`` through Typer's runner (a process start costs seconds here;
    tests/federation/test_audit_live.py runs it as a real process)."""
    result = CliRunner().invoke(cli_app, ["audit", "verify"], env=_env(url, data_dir))
    return subprocess.CompletedProcess([], result.exit_code, result.stdout, result.stderr)


@pytest.fixture
def chain_url(committed_url: str) -> str:
    engine = make_engine(committed_url)
    with unit_of_work(make_session_factory(engine)) as db:
        for n in range(1, ENTRIES + 1):
            record(
                db,
                actor="user:ca-officer",
                action="exchange.message.send",
                object_type="exchange.message",
                object_id=f"m-{n}",
                decision="allow",
                rule_ids=["ca.legal_basis"],
                detail={"n": n},
            )
    engine.dispose()
    return committed_url


TAMPERING = {
    "edit": (
        ["UPDATE audit_log SET object_id = 'someone-else' WHERE sequence = 5"],
        "entry 5: entry 5 was altered or moved",
    ),
    "delete": (["DELETE FROM audit_log WHERE sequence = 7"], "entry 7: entry 7 is missing"),
    "reorder": (
        [
            "UPDATE audit_log SET sequence = -1 WHERE sequence = 3",
            "UPDATE audit_log SET sequence = 3 WHERE sequence = 4",
            "UPDATE audit_log SET sequence = 4 WHERE sequence = -1",
        ],
        "entry 3: entry 3 was altered or moved",
    ),
    "truncate": (
        ["DELETE FROM audit_log WHERE sequence > 10"],
        f"entry {ENTRIES - 1}: entries {ENTRIES - 1}..{ENTRIES} are missing",
    ),
    "edit and relink the next": (
        [
            "UPDATE audit_log SET decision = 'block' WHERE sequence = 9",
            "UPDATE audit_log SET entry_hash = repeat('a', 64) WHERE sequence = 9",
            "UPDATE audit_log SET prev_hash = repeat('a', 64) WHERE sequence = 10",
        ],
        "entry 9: entry 9 was altered or moved",
    ),
}


@pytest.mark.parametrize("how", list(TAMPERING))
def test_verify_names_the_tampered_entry(chain_url: str, tmp_path: Path, how: str) -> None:
    intact = verify_in_process(chain_url, tmp_path)
    assert intact.returncode == 0, intact.stderr
    assert f"audit log OK: {ENTRIES} entries" in intact.stdout
    statements, expected = TAMPERING[how]
    engine = make_engine(chain_url)
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement.replace("repeat('a', 64)", f"'{'a' * 64}'")))
    engine.dispose()
    result = verify_in_process(chain_url, tmp_path)
    assert result.returncode == 3
    assert "Traceback" not in result.stderr
    first_line = result.stderr.splitlines()[0]
    assert first_line.startswith("audit log FAILED at " + expected.split(":")[0]), first_line
    assert expected.split(": ", 1)[1] in first_line


def test_a_rehashed_chain_without_checkpoints_passes_so_checkpoints_matter(
    chain_url: str, tmp_path: Path
) -> None:
    """The limit the checkpoints exist for: a forger who rehashes everything is not
    caught by the chain alone (see test_checkpoints for the countersigned case)."""
    engine = make_engine(chain_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'user:forger' WHERE sequence = 2"))
        rehash_all(conn)
    engine.dispose()
    assert verify_in_process(chain_url, tmp_path).returncode == 0
