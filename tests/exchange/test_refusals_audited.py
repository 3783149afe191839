"""A policy refusal reaches the audit chain with its rule ids, from the API and the web
compose form (the CLI: test_cli.py; the inbox and the cyber release: tests/audit)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.ledger.verify import verify_chain
from liaison.models import AuditEntry
from tests.exchange import payloads
from tests.exchange.test_web_pages import HTML, _form

Headers = Callable[[str], dict[str, str]]
RULE = "joint.mlat.evidence_requires_mlat"


def _refusals(seeded: sessionmaker[Session]) -> list[AuditEntry]:
    with unit_of_work(seeded) as db:
        assert verify_chain(db, "CA").ok
        return list(
            db.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "policy.decision", AuditEntry.decision == "block"
                )
            )
        )


def test_api_compose_refusal_is_in_the_chain_with_its_rule(
    client: TestClient, auth_headers: Headers, agencies: dict[str, str], seeded: Any
) -> None:
    body = payloads.compose(agencies, markings=payloads.markings(handling_code="evidence"))
    answer = client.post("/api/v1/exchange/cases", json=body, headers=auth_headers("ca-officer"))
    assert answer.status_code == 403
    [entry] = _refusals(seeded)
    assert RULE in entry.rule_ids
    assert entry.actor == "user:ca-officer"


def test_web_compose_refusal_is_in_the_chain_with_its_rule(
    client: TestClient, auth_headers: Headers, agencies: dict[str, str], seeded: Any
) -> None:
    headers = auth_headers("ca-officer") | HTML
    answer = client.post(
        "/exchange/compose", data=_form(agencies, handling_code="evidence"), headers=headers
    )
    assert answer.status_code == 403
    [entry] = _refusals(seeded)
    assert RULE in entry.rule_ids


def test_decision_api_refusal_is_in_the_chain(
    client: TestClient, auth_headers: Headers, seeded: Any
) -> None:
    subject = {
        "direction": "outbound",
        "kind": "message",
        "sender_party": "CA",
        "recipient_party": "IN",
        "originator_party": "CA",
        "tlp": "AMBER",
        "handling_code": "evidence",
    }
    answer = client.post(
        "/api/v1/policy/decisions",
        json={"subject": subject, "object_type": "draft", "object_id": "d-1"},
        headers=auth_headers("ca-officer"),
    )
    assert answer.status_code == 403
    [entry] = _refusals(seeded)
    assert entry.object_id == "d-1"
    assert RULE in entry.rule_ids
