"""On PostgreSQL with real commits: a resend while the first request is still running
(the client timed out, the server did not) waits for it and gets its answer; two
simultaneous submits with one key create one case."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from liaison.app import create_app
from liaison.models import Case, OutboxMessage
from tests.exchange import payloads
from tests.federation.contention import Node, build_node, private_schema
from tests.support.nodes import PG_URL

CASES = "/api/v1/exchange/cases"


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    with private_schema(PG_URL) as url:
        built = build_node(url, tmp_path_factory.mktemp("node"))
        yield built
        built.factory.kw["bind"].dispose()


def _counts(node: Node, subject: str) -> tuple[int, int]:
    with node.factory() as db:
        cases = db.scalar(select(func.count()).select_from(Case).where(Case.title == subject))
        envelopes = db.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.payload.contains(subject))
        )
    return int(cases or 0), int(envelopes or 0)


def _post(node: Node, body: dict[str, object], key: str) -> httpx.Response:
    app = create_app(node.settings, session_factory=node.factory)
    headers = {"Authorization": f"Bearer {node.token}", "Idempotency-Key": key}
    with TestClient(app) as client:
        return client.post(CASES, json=body, headers=headers)


def test_resend_while_the_first_is_still_running_gets_the_first_answer(node: Node) -> None:
    title = f"Timeout {uuid.uuid4()}"
    body = payloads.compose(node.agencies, case_title=title)
    key = str(uuid.uuid4())
    answers: dict[str, httpx.Response] = {}
    engine = node.factory.kw["bind"]
    with engine.connect() as blocker:
        # Hold the audit chain head: the first request does its work, then waits at commit.
        blocker.execute(text("SELECT * FROM audit_chain_head FOR UPDATE"))
        first = threading.Thread(target=lambda: answers.update(first=_post(node, body, key)))
        first.start()
        time.sleep(1.0)  # the client gives up waiting and sends again, same key
        second = threading.Thread(target=lambda: answers.update(second=_post(node, body, key)))
        second.start()
        time.sleep(1.0)
        assert first.is_alive()
        assert second.is_alive()  # waits on the first request's key, not a duplicate
        blocker.rollback()
    first.join(timeout=60)
    second.join(timeout=60)
    assert answers["first"].status_code == 201, answers["first"].text
    assert answers["second"].status_code == 201, answers["second"].text
    assert answers["second"].json() == answers["first"].json()
    assert answers["second"].headers["idempotent-replayed"] == "true"
    assert _counts(node, title) == (1, 1)


def test_simultaneous_submits_with_one_key_create_one_case(node: Node) -> None:
    title = f"Double click {uuid.uuid4()}"
    body = payloads.compose(node.agencies, case_title=title)
    key = str(uuid.uuid4())
    answers: list[httpx.Response] = []
    threads = [
        threading.Thread(target=lambda: answers.append(_post(node, body, key))) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert _counts(node, title) == (1, 1)
