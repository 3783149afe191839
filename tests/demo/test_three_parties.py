"""``liaison demo --parties CA,IN,US``: the United States as a third node, on the next
port, with its own seed (DEA, FBI, CBP, HSI and two attachés), pinned to both others,
asking India and Canada about one fentanyl-precursor pipeline. The nodes run in this
process (tests/support/trio.py); tests/demo/test_demo.py runs the default pair live."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from liaison import domains
from liaison.cli.main import build_cli
from liaison.demo import runner
from liaison.exchange.seed import seed_cases
from liaison.kit.db import unit_of_work
from liaison.kit.errors import ValidationFailed
from liaison.models import Agency, Message, Party, Peer, WorkplanVersion
from tests.support.pair import AppNode
from tests.support.trio import exchange_all, three_nodes

PIPELINE = "Fentanyl precursor pipeline India-Canada-United States"


@pytest.fixture
def trio(url_factory: Callable[[], str], tmp_path: Path) -> Iterator[list[AppNode]]:
    with three_nodes(url_factory, tmp_path) as nodes:
        yield nodes


def test_the_parties_option_names_the_nodes_and_their_ports() -> None:
    assert runner.DEFAULT_PARTIES == ("CA", "IN")
    nodes = runner.demo_nodes(9100, runner.parse_parties(" ca, in ,US "))
    assert [(n.party, n.port, n.name) for n in nodes] == [
        ("CA", 9100, "liaison-ca"),
        ("IN", 9101, "liaison-in"),
        ("US", 9102, "liaison-us"),
    ]
    with pytest.raises(ValidationFailed, match="no demo seed data for ZZ"):
        runner.parse_parties("CA,ZZ")
    with pytest.raises(ValidationFailed, match="at least two different parties"):
        runner.parse_parties("CA,CA")


def test_the_demo_refuses_a_party_without_seed_data_before_starting_anything(
    tmp_path: Path,
) -> None:
    result = CliRunner().invoke(
        build_cli(domains.registry()),
        ["demo", "--data-dir", str(tmp_path / "demo"), "--parties", "CA,IN,ZZ"],
    )
    assert result.exit_code == 2
    assert "no demo seed data for ZZ" in result.output
    assert not (tmp_path / "demo").exists()


def test_a_third_node_is_pinned_to_both_and_asks_each_about_one_pipeline(
    trio: list[AppNode],
) -> None:
    canada, india, us = trio
    with unit_of_work(us.factory) as db:
        assert set(db.scalars(select(Peer.party_code))) == {"CA", "IN"}
        assert set(db.scalars(select(Party.code))) == {"CA", "IN", "US"}
        held = set(db.execute(select(Agency.party_code, Agency.acronym)).tuples())
        assert {("US", "DEA"), ("US", "HSI"), ("IN", "NCB"), ("CA", "RCMP")} <= held
        # The Ottawa workplan is Canada's and India's: the third party holds none of it.
        assert db.scalar(select(WorkplanVersion.number)) is None
        assert seed_cases(db, us.settings) == 2
    with unit_of_work(canada.factory) as db:
        assert set(db.scalars(select(Peer.party_code))) == {"IN", "US"}
        assert set(db.scalars(select(Party.code))) == {"CA", "IN", "US"}
    exchange_all(trio)
    for node, asked, subject in (
        (india, "NCB", "Exporters of 1-Boc-4-AP"),
        (canada, "RCMP", "Onward movements of Pacific Freight"),
    ):
        with unit_of_work(node.factory) as db:
            received = db.scalars(select(Message).where(Message.direction == "in")).all()
            from_us = [m for m in received if m.subject.startswith(subject)]
            assert len(from_us) == 1, [m.subject for m in received]
            agency = db.get(Agency, from_us[0].to_agency_id)
            assert agency is not None
            assert (agency.party_code, agency.acronym) == (node.party, asked)
    with unit_of_work(us.factory) as db:
        titles = set(db.scalars(select(Message.subject)))
        assert seed_cases(db, us.settings) == 0  # idempotent
    assert len(titles) == 2
    # Hit/no-hit goes to one peer: with two, the officer names it (bilateral: the peer).
    check = {
        "purpose": "criminal investigation: precursor diversion",
        "legal_basis": "police_cooperation",
        "identifiers": [{"category": "phone", "value": "+1 604 555 0199"}],
    }
    unnamed = us.client.post(
        "/api/v1/hitcheck/checks", json=check, headers=us.headers("us-officer")
    )
    assert unnamed.status_code == 422, unnamed.text
    assert "several peers: name the one to ask (CA, IN)" in unnamed.text
    stranger = us.client.post(
        "/api/v1/hitcheck/checks", json=check | {"peer": "GB"}, headers=us.headers("us-officer")
    )
    assert stranger.status_code == 404, stranger.text
