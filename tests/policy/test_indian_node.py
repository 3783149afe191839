"""On India's node: an officer passes on to Canada an item with personal data that arrived
without a recorded legal basis; India's DPDP rule blocks it, with its citation in the
answer and in the audit log. The same item with a legal basis goes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison import domains
from liaison.config import Settings
from liaison.demo.seed import seed_demo
from liaison.federation.keys import ensure_node_key
from liaison.kit.db import unit_of_work
from liaison.models import Agency, AuditEntry
from tests.exchange import payloads
from tests.support.peering import apply_inbound, pin_peer_with_agencies

Headers = Callable[[str], dict[str, str]]
RULE = "in.dpdp.legal_basis"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    node = Settings(party="IN", node_name="liaison-in", data_dir=tmp_path / "node")
    node.ensure_secret_key()
    return node


@pytest.fixture
def seed_from_template() -> bool:
    return False  # India's node seeds its own party


@pytest.fixture
def seeded(db_factory: sessionmaker[Session], settings: Settings) -> sessionmaker[Session]:
    with unit_of_work(db_factory) as db:
        seed_demo(db, "IN", domains.registry())
        ensure_node_key(db, settings)
    return db_factory


@pytest.fixture
def agencies(seeded: sessionmaker[Session]) -> dict[str, str]:
    with unit_of_work(seeded) as db:
        pin_peer_with_agencies(db, "CA", own_party="IN")
        rows = db.execute(select(Agency.acronym, Agency.party_code, Agency.id)).all()
    return {f"{party}:{acronym}": agency_id for acronym, party, agency_id in rows}


def _from_canada(agencies: dict[str, str], **markings: Any) -> dict[str, Any]:
    payload = payloads.inbound(
        agencies,
        from_agency_id=agencies["CA:RCMP"],
        to_agency_id=agencies["IN:CBI"],
        originator_party="CA",
        case_origin_party="CA",
        markings=payloads.markings(tlp="GREEN", **markings),
        entities=[{"kind": "person", "name": "Rakesh Mehta"}],
    )
    payload["case_reference"] = "CA-" + payload["case_reference"].removeprefix("IN-")
    return payload


def test_dpdp_blocks_passing_on_personal_data_without_a_legal_basis(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
    settings: Settings,
) -> None:
    officer = auth_headers("in-officer")
    bare = _from_canada(agencies, legal_basis=None, legal_basis_reference="")
    apply_inbound(seeded, settings, "exchange.message", bare, sender="CA")
    refused = client.post(
        f"/api/v1/exchange/messages/{bare['id']}/forward",
        json={"to_agency_id": agencies["CA:CBSA"]},
        headers=officer,
    )
    assert refused.status_code == 403, refused.text
    [rule] = refused.json()["rules"]
    assert rule["rule_id"] == RULE
    assert "Digital Personal Data Protection Act, 2023, s. 17(1)(c)" in rule["citation"]
    with unit_of_work(seeded) as db:
        entry = db.scalar(
            select(AuditEntry)
            .where(AuditEntry.action == "policy.decision", AuditEntry.decision == "block")
            .order_by(AuditEntry.sequence.desc())
        )
        assert entry is not None
        assert RULE in entry.rule_ids
        assert "s. 17(1)(c)" in entry.detail["citations"][RULE]

    based = _from_canada(agencies)
    apply_inbound(seeded, settings, "exchange.message", based, sender="CA", seq=2)
    sent = client.post(
        f"/api/v1/exchange/messages/{based['id']}/forward",
        json={"to_agency_id": agencies["CA:CBSA"]},
        headers=officer,
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["status"] == "sent"
