"""On India's node: an officer passes on to Canada an item with personal data that arrived
without a recorded legal basis; India's DPDP rule blocks it, with its citation in the
answer and in the audit log. The same item with a legal basis goes. An Indian officer
reporting a cyber incident to Canada gets CERT-In's 6-hour report obligation, cited in
the answer and in the audit log; the same disclosure without an incident does not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
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
CERT_IN = "in.certin.six_hour_report"


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


def _last_decision(factory: sessionmaker[Session], effect: str) -> AuditEntry:
    with unit_of_work(factory) as db:
        entry = db.scalar(
            select(AuditEntry)
            .where(AuditEntry.action == "policy.decision", AuditEntry.decision == effect)
            .order_by(AuditEntry.sequence.desc())
        )
        assert entry is not None
        return entry


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


def test_cert_in_report_is_owed_on_an_incident_india_reports_to_canada(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    officer = auth_headers("in-officer")
    noticed = datetime.now(UTC) - timedelta(hours=1)
    body = payloads.compose(
        agencies,
        from_agency_id=agencies["IN:CBI"],
        to_agency_id=agencies["CA:RCMP"],
        type="disclosure",
        entities=[payloads.PHONE_IN],
        offences=["cybercrime"],
        incident_detected_at=noticed.isoformat(),
    )
    sent = client.post("/api/v1/exchange/cases", json=body, headers=officer)
    assert sent.status_code == 201, sent.text
    assert sent.json()["status"] == "sent"
    [owed] = [o for o in sent.json()["obligations"] if o["rule_id"] == CERT_IN]
    assert "No. 20(3)/2022-CERT-In" in owed["citation"]
    entry = _last_decision(seeded, "allow_with_obligations")
    assert entry.object_id == sent.json()["id"]
    assert CERT_IN in entry.rule_ids
    assert "direction (ii)" in entry.detail["citations"][CERT_IN]

    quiet = client.post(
        "/api/v1/exchange/cases",
        json=body | {"incident_detected_at": None},
        headers=officer,
    )
    assert quiet.status_code == 201, quiet.text
    assert CERT_IN not in {o["rule_id"] for o in quiet.json()["obligations"]}
