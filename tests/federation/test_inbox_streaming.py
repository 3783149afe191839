"""The inbox reads bodies as a stream: junk from nobody this node knows is refused from
its header without its ciphertext being kept, envelopes are read one at a time, and a
source that keeps posting junk is throttled with one summary row instead of a row per
request (memory figures: bench/inbox_memory.py)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from liaison.app import create_app
from liaison.config import Settings
from liaison.kit import clock
from liaison.kit.crypto import b64e
from liaison.kit.db import unit_of_work
from liaison.models import Refusal
from tests.federation import forge
from tests.federation.test_inbox_attacks import BATCH, INBOX, Canada, ca, clock_at

__all__ = ["ca"]  # the fixture, shared with the attack tests


def _junk_envelope(header: dict[str, object], ciphertext_bytes: int) -> dict[str, str]:
    return {
        "protected": b64e(json.dumps(header).encode()),
        "ciphertext": "A" * ciphertext_bytes,
        "signature": b64e(bytes(64)),
    }


def test_envelope_from_an_unknown_sender_is_refused_from_its_header(ca: Canada) -> None:
    header = forge.header_of(ca.india.seal(1))
    stranger = {**header, "sender": {**header["sender"], "party": "FR", "node": "liaison-fr"}}
    big = _junk_envelope(stranger, 2 * 1024 * 1024)
    before = ca.state()
    genuine = ca.india.seal(1)
    body = json.dumps({"envelopes": [big, json.loads(genuine)]}).encode()
    receipts = [ca.verified(r) for r in ca.post(body, BATCH).json()["receipts"]]
    assert [(r.status, r.reason) for r in receipts] == [
        ("refused", "unknown_sender"),
        ("accepted", None),
    ]
    assert ca.state().last_in_seq == before.last_in_seq + 1


def test_members_out_of_order_or_trailing_data_are_malformed(ca: Canada) -> None:
    fields = forge.fields(ca.india.seal(1))
    reordered = {name: fields[name] for name in ("ciphertext", "protected", "signature")}
    assert ca.refuse(json.dumps(reordered).encode(), "malformed").seq == 0
    trailing = ca.india.seal(1) + b" {}"
    ca.refuse(trailing, "malformed")
    escaped = ca.india.seal(1).replace(b'"protected":"e', b'"protected":"\\u0065', 1)
    ca.refuse(escaped, "malformed")
    ca.accept(ca.india.seal(1))


def test_junk_from_one_source_is_throttled_and_summarised(
    ca: Canada, settings: Settings, seeded: sessionmaker[Session]
) -> None:
    bind = seeded.kw["bind"]
    engine: Engine = bind if isinstance(bind, Engine) else bind.engine
    strict = Settings(
        party="CA",
        node_name="liaison-ca",
        data_dir=settings.data_dir,
        federation_refusals_per_minute=3,
    )
    node = replace(ca, http=TestClient(create_app(strict, engine=engine, session_factory=seeded)))

    def rows() -> list[tuple[str, str]]:
        with unit_of_work(seeded) as db:
            found = db.execute(select(Refusal.reason, Refusal.detail).order_by(Refusal.received_at))
            return [(reason, detail) for reason, detail in found]

    start = clock.now()
    with clock_at(start):
        answers = [node.post(b"junk " * 100, path) for path in (INBOX, BATCH, INBOX, INBOX, BATCH)]
    assert [a.status_code for a in answers] == [400, 400, 400, 429, 429]
    throttled = node.verified(answers[3].json())
    assert (throttled.status, throttled.reason) == ("refused", "rate_limited")
    assert [reason for reason, _ in rows()] == ["malformed"] * 3
    with clock_at(start + timedelta(seconds=61)):
        assert node.post(b"junk", INBOX).status_code == 400
    logged = rows()
    assert len(logged) == 5
    summary = [detail for reason, detail in logged if reason == "rate_limited"]
    assert len(summary) == 1
    assert summary[0].startswith("2 further refused request(s)")
    node.accept(node.india.seal(1))  # a throttled address still reaches the peer's stream


def test_a_fifty_mebibyte_junk_batch_is_refused_without_a_server_error(ca: Canada) -> None:
    """Correctness only; the memory this takes is measured by bench/inbox_memory.py."""
    header = forge.header_of(ca.india.seal(1))
    header["recipient"] = {**header["recipient"], "node": "liaison-elsewhere"}
    body = json.dumps({"envelopes": [_junk_envelope(header, 50 * 1024 * 1024 - 4096)]})
    response = ca.post(body.encode(), BATCH)
    assert response.status_code == 200
    (receipt,) = [ca.verified(r) for r in response.json()["receipts"]]
    assert (receipt.status, receipt.reason, receipt.envelope_id) == (
        "refused",
        "wrong_recipient",
        header["id"],
    )
