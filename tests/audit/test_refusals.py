"""A refusal reaches the audit chain with its rule ids on the paths where the caller
rolls back: the federation inbox (its savepoint) and the cyber release."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.cyber.federation import cleared
from liaison.cyber.store import Stored
from liaison.cyber.tlp import Tlp
from liaison.kit.db import unit_of_work
from liaison.ledger.verify import verify_chain
from liaison.models import Agency, AuditEntry, CyberCollection
from liaison.policy import store
from liaison.policy.packs import shipped_sources
from tests.exchange import payloads
from tests.support.pair import AppNode, exchange

EXTRA_RULE = """
[[rule]]
id = "{pack_id}.test.refuse"
description = "test rule: refuse what the scenario says"
citation = "Test citation, s. 1"
excerpt = "(test)"
explanation = "refused by the test rule"
effect = "block"
when = '''{when}'''
"""


def activate_extra_rule(factory: sessionmaker[Session], file: str, when: str) -> str:
    """Activate the shipped pack ``file`` plus one blocking rule; returns the rule id."""
    source = shipped_sources()[file]
    pack_id = file.removesuffix(".toml")
    lines = [
        'version = "9999.1"' if line.startswith("version = ") else line
        for line in source.splitlines()
    ]
    text = "\n".join(lines) + EXTRA_RULE.format(pack_id=pack_id, when=when)
    with unit_of_work(factory) as db:
        row = store.load_pack(db, text, actor="user:ca-admin")
        store.activate(db, row.id, actor="user:ca-admin")
    return f"{pack_id}.test.refuse"


def _blocks(factory: sessionmaker[Session], party: str, action: str) -> list[AuditEntry]:
    with unit_of_work(factory) as db:
        assert verify_chain(db, party).ok
        return list(
            db.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == action, AuditEntry.decision == "block"
                )
            )
        )


def test_inbound_refusal_keeps_its_rule_ids(pair: tuple[AppNode, AppNode]) -> None:
    canada, india = pair
    rule = activate_extra_rule(
        india.factory,
        "in.toml",
        'context.direction == "inbound" && context.purpose like "*refuse at the border*"',
    )
    with unit_of_work(canada.factory) as db:
        rows = db.execute(select(Agency.acronym, Agency.party_code, Agency.id)).all()
    agencies = {f"{party}:{acronym}": agency_id for acronym, party, agency_id in rows}
    body = payloads.compose(
        agencies, markings=payloads.markings(purpose="test: refuse at the border")
    )
    sent = canada.client.post(
        "/api/v1/exchange/cases", json=body, headers=canada.headers("ca-officer")
    )
    assert sent.status_code == 201, sent.text
    exchange(canada, india)
    [entry] = _blocks(india.factory, "IN", "exchange.message.receive")
    assert entry.object_id == sent.json()["id"]
    assert rule in entry.rule_ids


def test_cyber_release_refusal_survives_a_rollback(db_factory: sessionmaker[Session]) -> None:
    rule = activate_extra_rule(
        db_factory, "ca.toml", 'context.direction == "outbound" && context.tlp == "AMBER"'
    )
    collection = CyberCollection(id="c-1", title="Phishing kit", owner_party="CA")
    items = [
        Stored(1, "indicator--1", "v1", Tlp.AMBER, "{}", []),
        Stored(2, "indicator--2", "v1", Tlp.GREEN, "{}", []),
    ]
    released: list[str] = []

    def release_then_fail() -> None:
        with unit_of_work(db_factory) as db:
            released.extend(item.stix_id for item in cleared(db, collection, items, "IN"))
            raise RuntimeError("the release job fails later on")

    with pytest.raises(RuntimeError):
        release_then_fail()
    assert released == ["indicator--2"]
    [entry] = _blocks(db_factory, "CA", "policy.decision")
    assert entry.object_id == "c-1"
    assert rule in entry.rule_ids
