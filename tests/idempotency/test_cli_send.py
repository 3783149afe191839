"""``liaison exchange send`` is safe to run again: the same --idempotency-key sends once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.models import Case, OutboxMessage
from tests.exchange import payloads
from tests.exchange.test_cli import _node, _node_env, liaison  # noqa: F401

pytestmark = pytest.mark.usefixtures("_node_env")


def _counts(tmp_path: Path) -> tuple[int, int]:
    engine = make_engine(f"sqlite:///{tmp_path / 'liaison.db'}")
    with unit_of_work(make_session_factory(engine)) as db:
        cases = db.scalar(select(func.count()).select_from(Case))
        envelopes = db.scalar(select(func.count()).select_from(OutboxMessage))
    engine.dispose()
    return int(cases or 0), int(envelopes or 0)


def test_rerun_with_the_same_key_prints_the_first_message_and_sends_nothing(
    tmp_path: Path,
) -> None:
    agencies = _node(tmp_path)
    body = json.dumps(payloads.compose(agencies))
    args = ("exchange", "send", "-", "--as", "ca-officer", "--idempotency-key", "run-42")
    first = liaison(tmp_path, *args, stdin=body)
    assert first.exit_code == 0, first.output
    again = liaison(tmp_path, *args, stdin=body)
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout) == json.loads(first.stdout)
    assert "already sent" in again.stderr
    assert _counts(tmp_path) == (1, 1)
    other = payloads.compose(agencies, subject="Another question")
    refused = liaison(tmp_path, *args, stdin=json.dumps(other))
    assert refused.exit_code != 0
    assert "different request" in str(refused.exception)
    assert _counts(tmp_path) == (1, 1)


def test_each_run_without_a_key_gets_its_own_and_prints_it(tmp_path: Path) -> None:
    agencies = _node(tmp_path)
    body = json.dumps(payloads.compose(agencies))
    keys = set()
    for _ in range(2):
        sent = liaison(tmp_path, "exchange", "send", "-", "--as", "ca-officer", stdin=body)
        assert sent.exit_code == 0, sent.output
        keys.add(sent.stderr.split("idempotency key: ")[1].split()[0])
    assert len(keys) == 2
    assert _counts(tmp_path) == (2, 2)
