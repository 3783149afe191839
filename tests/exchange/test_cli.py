"""``liaison exchange`` as an operator runs it (in-process for speed), JSON in and out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import select
from typer.testing import CliRunner

from liaison.cli.main import app
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.kit.errors import ValidationFailed
from liaison.models import Agency
from tests.exchange import payloads
from tests.support.peering import pin_peer_with_agencies


def liaison(data_dir: Path, *args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=stdin)


@pytest.fixture(autouse=True)
def _node_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIAISON_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LIAISON_PARTY", "CA")
    monkeypatch.delenv("LIAISON_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")


def _node(tmp_path: Path) -> dict[str, str]:
    assert liaison(tmp_path, "init").exit_code == 0
    assert liaison(tmp_path, "seed", "--demo").exit_code == 0
    engine = make_engine(f"sqlite:///{tmp_path / 'liaison.db'}")
    with unit_of_work(make_session_factory(engine)) as db:
        pin_peer_with_agencies(db, "IN")
        rows = db.execute(select(Agency.acronym, Agency.party_code, Agency.id)).all()
    engine.dispose()
    return {f"{party}:{acronym}": agency_id for acronym, party, agency_id in rows}


def test_send_list_show_and_assign_from_the_console(tmp_path: Path) -> None:
    agencies = _node(tmp_path)
    sent = liaison(
        tmp_path,
        "exchange",
        "send",
        "-",
        "--as",
        "ca-officer",
        stdin=json.dumps(payloads.compose(agencies)),
    )
    assert sent.exit_code == 0, sent.output
    message = json.loads(sent.stdout)
    assert message["status"] == "sent"
    listed = liaison(tmp_path, "exchange", "inbox", "--as", "ca-officer", "--json")
    assert [item["id"] for item in json.loads(listed.stdout)] == [message["id"]]
    assigned = liaison(
        tmp_path, "exchange", "assign", message["case_id"], "ca-analyst", "--as", "ca-officer"
    )
    assert assigned.exit_code == 0, assigned.output
    assert "assigned to ca-analyst" in assigned.stdout
    shown = liaison(tmp_path, "exchange", "show", message["case_id"], "--as", "ca-analyst")
    assert json.loads(shown.stdout)["messages"][0]["subject"] == message["subject"]
    bad = payloads.compose(agencies, markings=payloads.markings(legal_basis=None))
    refused = liaison(
        tmp_path, "exchange", "send", "-", "--as", "ca-officer", stdin=json.dumps(bad)
    )
    assert refused.exit_code != 0
    # the command raises the typed error; ``liaison`` prints it as one line (cli/main.py)
    assert isinstance(refused.exception, ValidationFailed)
    assert "markings.legal_basis" in str(refused.exception)


def _audit_export(tmp_path: Path) -> list[dict[str, object]]:
    exported = liaison(tmp_path, "audit", "export", "-o", "-")
    assert exported.exit_code == 0, exported.output
    return [json.loads(line) for line in exported.stdout.splitlines() if line.strip()]


def test_a_blocked_send_leaves_its_decision_in_the_audit_export(tmp_path: Path) -> None:
    agencies = _node(tmp_path)
    evidence = payloads.compose(
        agencies, markings=payloads.markings(handling_code="evidence", mlat_reference=None)
    )
    refused = liaison(
        tmp_path, "exchange", "send", "-", "--as", "ca-officer", stdin=json.dumps(evidence)
    )
    assert refused.exit_code != 0
    assert "joint.mlat.evidence_requires_mlat" in str(refused.exception)
    decisions = [e for e in _audit_export(tmp_path) if e["action"] == "policy.decision"]
    assert len(decisions) == 1
    assert decisions[0]["decision"] == "block"
    assert "joint.mlat.evidence_requires_mlat" in decisions[0]["rule_ids"]  # type: ignore[operator]
    assert decisions[0]["actor"] == "user:ca-officer"
    listed = liaison(tmp_path, "exchange", "inbox", "--as", "ca-officer", "--json")
    assert json.loads(listed.stdout) == []  # nothing else of the send was kept
    verified = liaison(tmp_path, "audit", "verify")
    assert verified.exit_code == 0, verified.output
