"""A Canadian node (the demo seed) that received India's messages naming one person in
Devanagari, with a phone (TLP:AMBER) and with a mule account (TLP:RED to RCMP)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.kit.db import unit_of_work
from liaison.models import Agency
from tests.exchange import payloads
from tests.support.peering import apply_inbound, pin_peer_with_agencies

PERSON_DEVANAGARI = {
    "kind": "person",
    "name": "गुरप्रीत सिंह संधू",
    "date_of_birth": "1988-11-02",
    "nationality": "IN",
}
PHONE = {"kind": "phone", "number": "+91 98765 43210"}
MULE = {"kind": "bank_account", "account_number": "50100234567891", "ifsc": "HDFC0001234"}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    node = Settings(party="CA", node_name="liaison-ca", data_dir=tmp_path / "node")
    node.ensure_secret_key()
    return node


@pytest.fixture
def agencies(seeded: sessionmaker[Session]) -> dict[str, str]:
    with unit_of_work(seeded) as db:
        pin_peer_with_agencies(db, "IN")
        rows = db.execute(select(Agency.acronym, Agency.party_code, Agency.id)).all()
    return {f"{party}:{acronym}": agency_id for acronym, party, agency_id in rows}


@pytest.fixture
def receive(seeded: sessionmaker[Session], settings: Settings) -> Callable[[dict[str, Any]], None]:
    def apply(payload: dict[str, Any]) -> None:
        apply_inbound(seeded, settings, "exchange.message", payload)

    return apply


PERSON_LATIN = {"kind": "person", "name": "Gurpreet Sandhu", "date_of_birth": "1988-11-02"}
FLIGHT = {"kind": "flight", "number": "AC42", "date": "2026-04-02"}


@pytest.fixture
def shared(
    client: TestClient,
    auth_headers: Callable[[str], dict[str, str]],
    agencies: dict[str, str],
    receive: Callable[[dict[str, Any]], None],
) -> dict[str, dict[str, Any]]:
    """RCMP asks India about Gurpreet Sandhu (Latin); India answers twice in Devanagari,
    with his phone (TLP:AMBER) and with his mule account (TLP:RED to RCMP)."""
    sent = client.post(
        "/api/v1/exchange/cases",
        json=payloads.compose(agencies, entities=[PERSON_LATIN, FLIGHT]),
        headers=auth_headers("ca-officer"),
    )
    assert sent.status_code == 201, sent.text
    amber = payloads.inbound(agencies, entities=[PERSON_DEVANAGARI, PHONE])
    red = payloads.inbound(
        agencies,
        entities=[PERSON_DEVANAGARI, MULE],
        subject="Mule account of the courier",
        markings=payloads.markings(tlp="RED"),
    )
    receive(amber)
    receive(red)
    return {"amber": amber, "red": red, "sent": sent.json()}
