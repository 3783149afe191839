"""``liaison hitcheck`` as an operator runs it (in-process): the index, and a bulk file
whose bad rows are reported row by row without asking the peer anything."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from liaison.cli.main import app
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.models import Party
from tests.support.peering import pin_peer


@pytest.fixture(autouse=True)
def _node_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIAISON_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LIAISON_PARTY", "CA")
    monkeypatch.delenv("LIAISON_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")


def test_index_status_rebuild_and_a_bulk_file_of_bad_rows(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'liaison.db'}")
    with unit_of_work(make_session_factory(engine)) as db:
        db.merge(Party(code="IN", name="India"))
        pin_peer(db, "IN", "CA")
    engine.dispose()

    rebuilt = runner.invoke(app, ["hitcheck", "index", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "rebuilt:" in rebuilt.output
    status = runner.invoke(app, ["hitcheck", "index", "status"])
    assert "epoch 2" in status.output
    assert "indexed categories: phone, email, document" in status.output

    applications = tmp_path / "applications.csv"
    applications.write_text("category,value\nphone,12\nstudy_permit,\nplanet,Mars\n")
    results = tmp_path / "results.csv"
    ran = runner.invoke(
        app,
        ["hitcheck", "bulk", str(applications), "-o", str(results), "--purpose", "fraud case"],
    )
    assert ran.exit_code == 0, ran.output
    assert "0 hit(s) of 0 checked" in ran.output
    rows = list(csv.DictReader(results.open()))
    assert [(r["row"], r["result"]) for r in rows] == [
        ("1", "invalid"),
        ("2", "invalid"),
        ("3", "invalid"),
    ]
    assert "category" in rows[2]["error"]
