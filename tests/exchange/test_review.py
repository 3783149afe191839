"""A message whose policy decision needs legal review is held; nothing leaves before
the reviewer approves, and approval queues it."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.models import OutboxMessage
from tests.exchange import payloads

Headers = Callable[[str], dict[str, str]]


def _queued(seeded: sessionmaker[Session]) -> int:
    with unit_of_work(seeded) as db:
        query = select(func.count()).where(OutboxMessage.type == "exchange.message")
        return int(db.scalar(query) or 0)


def test_death_penalty_offence_is_held_until_an_assurance_is_recorded(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    body = payloads.compose(agencies, offences=["murder"], entities=[payloads.PHONE_IN])
    held = client.post("/api/v1/exchange/cases", json=body, headers=auth_headers("ca-officer"))
    assert held.status_code == 201, held.text
    message = held.json()
    assert message["status"] == "held_for_review"
    assert any(o["kind"] == "assurance_required" for o in message["obligations"])
    assert _queued(seeded) == 0
    legal = auth_headers("ca-legal")
    reviews = client.get("/api/v1/policy/reviews", params={"status": "held"}, headers=legal)
    review = next(r for r in reviews.json() if r["object_id"] == message["id"])
    assurance = {
        "reference": "IN-MHA-2026-DP-001",
        "given_by": "Ministry of Home Affairs, Government of India",
        "given_on": "2026-03-01",
        "party": "IN",
        "text": "The death penalty will not be sought or carried out against the person.",
    }
    assert (
        client.post("/api/v1/policy/assurances", json=assurance, headers=legal).status_code == 201
    )
    decided = client.post(
        f"/api/v1/policy/reviews/{review['id']}/decide",
        json={
            "status": "approved",
            "reasons": "Assurance recorded",
            "assurance_reference": "IN-MHA-2026-DP-001",
        },
        headers=legal,
    )
    assert decided.status_code == 200, decided.text
    assert _queued(seeded) == 1
    after = client.get(
        f"/api/v1/exchange/messages/{message['id']}", headers=auth_headers("ca-officer")
    )
    assert after.json()["status"] == "sent"
