"""A Canadian node (the demo seed) that received India's messages naming one person in
Devanagari, with a phone (TLP:AMBER) and with a mule account (TLP:RED to RCMP). The
node, India's agencies and ``receive`` are tests/support's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.exchange import payloads

PERSON_DEVANAGARI = {
    "kind": "person",
    "name": "गुरप्रीत सिंह संधू",
    "date_of_birth": "1988-11-02",
    "nationality": "IN",
}
PHONE = {"kind": "phone", "number": "+91 98765 43210"}
MULE = {"kind": "bank_account", "account_number": "50100234567891", "ifsc": "HDFC0001234"}


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
