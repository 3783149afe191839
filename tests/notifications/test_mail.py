"""Notifications: in-app rows, mail through a real local SMTP server, none lost when it is down."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.kit.roles import Role
from liaison.models import EmailOutbox, User
from liaison.notifications.mailer import send_queued
from liaison.notifications.service import (
    list_for,
    mark_read,
    notify_role,
    set_email,
    unread_count,
)
from tests.support.nodes import free_port


def _send(factory: sessionmaker[Session], settings: Settings) -> int:
    with unit_of_work(factory) as db:
        return send_queued(db, settings)


class Sink:
    def __init__(self) -> None:
        self.mails: list[Message] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        self.mails.append(message_from_bytes(envelope.content))  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    handler = Sink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def _officer(db: Session) -> User:
    user = db.scalar(select(User).where(User.username == "ca-officer"))
    assert user is not None
    return user


def _notify_officers(factory: sessionmaker[Session], **notification: Any) -> str:
    """Give ca-officer an e-mail address, notify Canada's liaison officers; the officer's id."""
    with unit_of_work(factory) as db:
        officer = _officer(db)
        set_email(db, user_id=officer.id, email="officer@rcmp.example")
        notify_role(db, party_code="CA", roles=[Role.LIAISON_OFFICER], **notification)
        return officer.id


def test_notify_role_reaches_inbox_and_mail(
    seeded: sessionmaker[Session], settings: Settings, sink: tuple[Sink, int]
) -> None:
    handler, port = sink
    officer_id = _notify_officers(
        seeded,
        subject="New request from IN: IN-2026-000001",
        body="Urgent: subscriber of +1 604 555 0199",
        link="/exchange/cases/x",
        kind="urgent",
    )
    with unit_of_work(seeded) as db:
        assert unread_count(db, officer_id) == 1
        [row] = list_for(db, officer_id)
        assert row.subject == "New request from IN: IN-2026-000001"
        mark_read(db, officer_id, row.id)
    with unit_of_work(seeded) as db:
        assert unread_count(db, officer_id) == 0
    live = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False}
    )
    assert _send(seeded, live) == 1
    [mail] = handler.mails
    assert mail["To"] == "officer@rcmp.example"
    assert mail["Subject"] == "New request from IN: IN-2026-000001"
    assert "subscriber of +1 604 555 0199" in mail.get_payload()
    assert _send(seeded, live) == 0  # sent once


def test_smtp_down_keeps_the_mail_queued_until_it_is_back(
    seeded: sessionmaker[Session], settings: Settings, sink: tuple[Sink, int]
) -> None:
    handler, port = sink
    _notify_officers(seeded, subject="Overdue: CA-2026-000007", body="Not answered.")
    down = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": free_port(), "smtp_starttls": False}
    )
    assert _send(seeded, down) == 0
    with unit_of_work(seeded) as db:
        [row] = db.scalars(select(EmailOutbox)).all()
        assert (row.status, row.attempts) == ("queued", 1)
        assert row.last_error
        assert row.next_attempt_at > clock.now()
    up = down.model_copy(update={"smtp_port": port})
    assert _send(seeded, up) == 0  # backing off: not yet due
    later = clock.now() + timedelta(minutes=5)
    clock.set_clock(lambda: later)
    assert _send(seeded, up) == 1
    assert [m["Subject"] for m in handler.mails] == ["Overdue: CA-2026-000007"]
    with unit_of_work(seeded) as db:
        [row] = db.scalars(select(EmailOutbox)).all()
        assert (row.status, row.attempts) == ("sent", 2)


def test_without_smtp_host_nothing_is_sent_and_mail_stays_queued(
    seeded: sessionmaker[Session], settings: Settings
) -> None:
    with unit_of_work(seeded) as db:
        officer = _officer(db)
        set_email(db, user_id=officer.id, email="officer@rcmp.example")
        notify_role(db, party_code="CA", roles=[Role.LIAISON_OFFICER], subject="s", body="b")
    assert _send(seeded, settings) == 0
    with unit_of_work(seeded) as db:
        assert db.scalars(select(EmailOutbox.status)).all() == ["queued"]
