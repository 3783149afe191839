"""A compose writes each row once, complete: nothing it has just written is updated or
read back, and no savepoint is opened (bench/compose.py measures the cost)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.models import Case, Message
from tests.exchange import payloads

Headers = Callable[[str], dict[str, str]]


@pytest.fixture
def statements(seeded: sessionmaker[Session]) -> Iterator[list[str]]:
    """The SQL the node sends from here on, one line per statement."""
    bind: Engine | Connection = seeded.kw["bind"]
    sent: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(bind, "before_cursor_execute", seen)
    yield sent
    event.remove(bind, "before_cursor_execute", seen)


def test_a_request_is_written_once_and_nothing_is_read_back(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
    statements: list[str],
) -> None:
    headers = auth_headers("ca-officer")
    statements.clear()
    sent = client.post("/api/v1/exchange/cases", json=payloads.compose(agencies), headers=headers)
    assert sent.status_code == 201, sent.text
    assert sent.json()["attachments"] == []
    if statements[0].startswith("SAVEPOINT"):  # the test's session joining its transaction
        del statements[0]
    writes = [s.split(" (")[0] for s in statements if not s.startswith("SELECT")]
    assert not [s for s in writes if s.startswith(("UPDATE exchange", "SAVEPOINT"))], writes
    assert writes.count("INSERT INTO exchange_message_entities") <= 1  # all keys at once
    assert not [s for s in statements if "FROM exchange_attachments" in s]  # none were sent
    with unit_of_work(seeded) as db:  # and the rows are as a send leaves them
        message = db.scalars(select(Message).where(Message.id == sent.json()["id"])).one()
        case = db.get(Case, message.case_id)
    assert case is not None
    assert case.reference.startswith("CA-")
    assert message.status == "sent"
    assert message.sent_at is not None
    assert message.deadline_at is not None  # the request's clock, started before the insert
    assert message.window_seconds
    assert message.deadline_at > message.sent_at
