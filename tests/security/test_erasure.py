"""Erasure reaches every copy: after the retention purge, the subject of an erased
message is gone from the inbox, the Notifications page, the notifications table, the
e-mail outbox and the search and deconfliction indexes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.exchange.retention import ERASED_SUBJECT
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.models import EmailOutbox, MessageEntity, Notification, User
from liaison.notifications.service import set_email
from tests.exchange import payloads

Headers = Callable[[str], dict[str, str]]
SUBJECT = "Subscriber of +1 604 555 0142, Surrey call centre"


def test_purge_erases_the_subject_from_notifications_and_mail(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    receive: Callable[[dict[str, Any]], None],
    seeded: sessionmaker[Session],
) -> None:
    with unit_of_work(seeded) as db:
        officer = db.scalar(select(User.id).where(User.username == "ca-officer"))
        assert officer is not None
        set_email(db, user_id=officer, email="officer@rcmp.example")
    start = datetime.now(UTC)
    message = payloads.inbound(agencies, subject=SUBJECT)  # AMBER: notifications quote it
    receive(message)
    headers = auth_headers("ca-officer") | {"Accept": "text/html"}
    assert SUBJECT in client.get("/notifications", headers=headers).text

    admin = auth_headers("ca-admin")
    period = {"party_code": "IN", "category": "exchange.message", "days": 30}
    assert client.put("/api/v1/retention/periods", json=period, headers=admin).status_code == 200
    later = start + timedelta(days=31)
    clock.set_clock(lambda: later)
    purged = client.post("/api/v1/retention/purge", headers=admin).json()["erased"]
    assert [t["object_id"] for t in purged] == [message["id"]]

    assert SUBJECT not in client.get("/notifications", headers=headers).text
    inbox = client.get("/exchange", headers=headers).text
    assert SUBJECT not in inbox
    assert ERASED_SUBJECT in inbox
    with unit_of_work(seeded) as db:
        copies = [
            *db.scalars(select(Notification.body)),
            *db.scalars(select(Notification.subject)),
            *db.scalars(select(EmailOutbox.body)),
            *db.scalars(select(EmailOutbox.subject)),
        ]
        assert copies
        assert not [c for c in copies if SUBJECT in c]
        assert any(ERASED_SUBJECT in c for c in copies)
        indexed = db.scalars(
            select(MessageEntity.key).where(MessageEntity.message_id == message["id"])
        ).all()
        assert indexed == []
    search = client.get("/api/v1/exchange/inbox", params={"search": "surrey"}, headers=admin)
    assert search.json()["items"] == []
