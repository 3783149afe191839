"""Idempotency-Key on API POSTs: a repeat returns the first answer and creates nothing.

Double submits and a resend after a timeout (the client never saw the answer) each
leave one case and one envelope for India.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.models import Case, IdempotencyKey, OutboxMessage
from tests.exchange import payloads

Headers = Callable[[str], dict[str, str]]
CASES = "/api/v1/exchange/cases"


def counts(factory: sessionmaker[Session]) -> tuple[int, int]:
    with unit_of_work(factory) as db:
        cases = db.scalar(select(func.count()).select_from(Case))
        envelopes = db.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.type == "exchange.message")
        )
    return int(cases or 0), int(envelopes or 0)


def test_double_submit_with_one_key_creates_one_case_and_one_envelope(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    headers = auth_headers("ca-officer") | {"Idempotency-Key": f'"{uuid.uuid4()}"'}
    body = payloads.compose(agencies)
    first = client.post(CASES, json=body, headers=headers)
    second = client.post(CASES, json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert second.status_code == 201, second.text
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert counts(seeded) == (1, 1)


def test_resend_after_a_timeout_returns_the_case_created_the_first_time(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    """The first answer is lost on the way back (timeout, proxy reset): the client knows
    only its key; resending gets the case that was created, not a second one."""
    key = str(uuid.uuid4())
    headers = auth_headers("ca-officer") | {"Idempotency-Key": key}
    body = payloads.compose(agencies)
    client.post(CASES, json=body, headers=headers)  # answer "lost"
    assert counts(seeded) == (1, 1)
    # a new token (a new client process) of the same officer: still the same caller
    retried = client.post(
        CASES, json=body, headers=auth_headers("ca-officer") | {"Idempotency-Key": key}
    )
    assert retried.status_code == 201, retried.text
    assert counts(seeded) == (1, 1)
    with unit_of_work(seeded) as db:
        (case_id,) = db.scalars(select(Case.id)).all()
    assert retried.json()["case_id"] == case_id


def test_same_key_with_another_body_is_refused_and_creates_nothing(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    headers = auth_headers("ca-officer") | {"Idempotency-Key": "order-7"}
    assert client.post(CASES, json=payloads.compose(agencies), headers=headers).status_code == 201
    other = payloads.compose(agencies, subject="A different question")
    reused = client.post(CASES, json=other, headers=headers)
    assert reused.status_code == 422, reused.text
    assert reused.headers["content-type"].startswith("application/problem+json")
    assert reused.json()["code"] == "idempotency_key_reused"
    assert counts(seeded) == (1, 1)


def test_keys_belong_to_their_caller(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    body = payloads.compose(agencies)
    key = {"Idempotency-Key": "shared-key"}
    assert (
        client.post(CASES, json=body, headers=auth_headers("ca-officer") | key).status_code == 201
    )
    other = client.post(CASES, json=body, headers=auth_headers("ca-admin") | key)
    assert other.status_code == 201, other.text
    assert "idempotent-replayed" not in other.headers
    assert counts(seeded) == (2, 2)


def test_a_failed_request_leaves_its_key_free(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    """Nothing was created, so nothing is remembered: the corrected resend runs."""
    headers = auth_headers("ca-officer") | {"Idempotency-Key": "k-1"}
    bad = payloads.compose(agencies, to_agency_id=agencies["CA:CBSA"])
    assert client.post(CASES, json=bad, headers=headers).status_code == 422
    with unit_of_work(seeded) as db:
        assert db.scalar(select(func.count()).select_from(IdempotencyKey)) == 0
    assert counts(seeded) == (0, 0)


def test_without_a_key_each_post_creates(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    body = payloads.compose(agencies)
    for _ in range(2):
        assert client.post(CASES, json=body, headers=auth_headers("ca-officer")).status_code == 201
    assert counts(seeded) == (2, 2)


def test_malformed_key_is_a_400_problem(
    client: TestClient, auth_headers: Headers, agencies: dict[str, str]
) -> None:
    headers = auth_headers("ca-officer") | {"Idempotency-Key": "x" * 256}
    refused = client.post(CASES, json=payloads.compose(agencies), headers=headers)
    assert refused.status_code == 400
    assert "Idempotency-Key" in refused.json()["detail"]


def test_a_key_expires_after_a_day(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
) -> None:
    headers = auth_headers("ca-officer") | {"Idempotency-Key": "daily-report"}
    body = payloads.compose(agencies)
    start = clock.now()
    assert client.post(CASES, json=body, headers=headers).status_code == 201
    clock.set_clock(lambda: start + timedelta(hours=23))
    assert client.post(CASES, json=body, headers=headers).headers["idempotent-replayed"] == "true"
    clock.set_clock(lambda: start + timedelta(hours=25))
    fresh = client.post(CASES, json=body, headers=headers)
    assert fresh.status_code == 201, fresh.text
    assert "idempotent-replayed" not in fresh.headers
    assert counts(seeded) == (2, 2)
