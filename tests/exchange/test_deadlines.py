"""Deadline clocks under a moved clock: due soon, overdue, once each; pause and resume."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.exchange.deadlines import escalate
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.models import EmailOutbox, Message, Notification, User
from liaison.notifications.service import set_email
from tests.exchange import payloads

Headers = Callable[[str], dict[str, str]]
T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


class MovedClock:
    def __init__(self) -> None:
        self.at = T0
        clock.set_clock(lambda: self.at)

    def to(self, delta: timedelta) -> None:
        self.at = T0 + delta


@pytest.fixture
def moved() -> Iterator[MovedClock]:
    yield MovedClock()
    clock.reset_clock()


def _run(seeded: sessionmaker[Session], settings: Settings) -> int:
    with unit_of_work(seeded) as db:
        return escalate(db, settings)


def _message(seeded: sessionmaker[Session], message_id: str) -> Message:
    with unit_of_work(seeded) as db:
        message = db.scalar(select(Message).where(Message.id == message_id))
        assert message is not None
        return message


def _notified(seeded: sessionmaker[Session], subject_start: str) -> set[str]:
    with unit_of_work(seeded) as db:
        query = (
            select(User.username)
            .join(Notification, Notification.user_id == User.id)
            .where(Notification.subject.startswith(subject_start))
        )
        return set(db.scalars(query))


def test_urgent_request_escalates_at_75_percent_then_when_overdue_once(
    moved: MovedClock,
    agencies: dict[str, str],
    receive: Callable[[dict[str, Any]], None],
    seeded: sessionmaker[Session],
    settings: Settings,
    client: TestClient,
    auth_headers: Headers,
) -> None:
    request = payloads.inbound(agencies, priority="urgent")
    receive(request)
    assert _message(seeded, request["id"]).deadline_at == T0 + timedelta(hours=8)
    moved.to(timedelta(hours=5, minutes=59))
    assert _run(seeded, settings) == 0
    moved.to(timedelta(hours=6))
    assert _run(seeded, settings) == 1  # due soon: the liaison officers
    assert _run(seeded, settings) == 0  # once
    assert _notified(seeded, "Due soon") == {"ca-officer"}
    headers = auth_headers("ca-officer")
    due = client.get("/api/v1/exchange/inbox", params={"due": "true"}, headers=headers).json()
    assert [(i["id"], i["due_state"]) for i in due["items"]] == [(request["id"], "due_soon")]
    moved.to(timedelta(hours=8, seconds=1))
    assert _run(seeded, settings) == 1  # overdue: the agency head
    assert _run(seeded, settings) == 0
    # RCMP has no admin user: the node's admins stand in for the agency head
    assert _notified(seeded, "Overdue") == {"ca-admin"}
    overdue = client.get("/api/v1/exchange/inbox", params={"overdue": "true"}, headers=headers)
    assert [i["due_state"] for i in overdue.json()["items"]] == ["overdue"]
    message = _message(seeded, request["id"])
    assert message.due_soon_notified_at == T0 + timedelta(hours=6)
    assert message.overdue_notified_at == T0 + timedelta(hours=8, seconds=1)


def test_clarification_pauses_and_the_answer_moves_the_deadline(
    moved: MovedClock,
    agencies: dict[str, str],
    receive: Callable[[dict[str, Any]], None],
    seeded: sessionmaker[Session],
    settings: Settings,
    client: TestClient,
    auth_headers: Headers,
) -> None:
    request = payloads.inbound(agencies, priority="urgent")
    receive(request)
    headers = auth_headers("ca-officer")
    moved.to(timedelta(hours=1))
    asked = client.post(
        f"/api/v1/exchange/messages/{request['id']}/clarification",
        json={"question": "Which time zone is the call log in?"},
        headers=headers,
    )
    assert asked.status_code == 201, asked.text
    moved.to(timedelta(hours=10))
    assert _run(seeded, settings) == 0  # paused: no escalation although 10 h passed
    paused = client.get("/api/v1/exchange/inbox", headers=headers).json()["items"]
    assert next(i for i in paused if i["id"] == request["id"])["due_state"] == "paused"
    moved.to(timedelta(hours=11))
    answered = client.post(
        f"/api/v1/exchange/clarifications/{asked.json()['id']}/answer",
        json={"answer": "IST"},
        headers=headers,
    )
    assert answered.status_code == 200, answered.text
    message = _message(seeded, request["id"])
    assert message.deadline_at == T0 + timedelta(hours=18)  # 8 h + 10 h paused
    assert message.pauses == [
        {
            "from": (T0 + timedelta(hours=1)).isoformat(),
            "to": (T0 + timedelta(hours=11)).isoformat(),
        }
    ]
    moved.to(timedelta(hours=17, minutes=59))
    assert _run(seeded, settings) == 1  # due soon only
    moved.to(timedelta(hours=18))
    assert _run(seeded, settings) == 1  # overdue


def test_the_reply_settles_the_request_and_a_refusal_needs_a_reason(
    agencies: dict[str, str],
    receive: Callable[[dict[str, Any]], None],
    client: TestClient,
    auth_headers: Headers,
) -> None:
    request = payloads.inbound(agencies, priority="normal")
    receive(request)
    headers = auth_headers("ca-officer")
    no_reason = client.post(
        f"/api/v1/exchange/messages/{request['id']}/reply",
        json={"outcome": "refused", "body": "No."},
        headers=headers,
    )
    assert no_reason.status_code == 422
    assert "reason_code" in no_reason.text
    refused = client.post(
        f"/api/v1/exchange/messages/{request['id']}/reply",
        json={
            "outcome": "partial",
            "reason_code": "information_not_held",
            "body": "Subscriber only.",
        },
        headers=headers,
    )
    assert refused.status_code == 201, refused.text
    assert refused.json()["in_reply_to"] == request["id"]
    original = client.get(f"/api/v1/exchange/messages/{request['id']}", headers=headers).json()
    assert original["status"] == "partial"
    assert original["reason_code"] == "information_not_held"
    overdue = client.get("/api/v1/exchange/inbox", params={"overdue": "true"}, headers=headers)
    assert overdue.json()["items"] == []


def _prefer(seeded: sessionmaker[Session], username: str, language: str, zone: str | None) -> None:
    with unit_of_work(seeded) as db:
        user = db.scalar(select(User).where(User.username == username))
        assert user is not None
        user.language, user.time_zone = language, zone
        set_email(db, user_id=user.id, email=f"{username}@example.org")


def _read_by(seeded: sessionmaker[Session], username: str) -> list[tuple[str, str]]:
    with unit_of_work(seeded) as db:
        query = (
            select(Notification.subject, Notification.body)
            .join(User, User.id == Notification.user_id)
            .where(User.username == username)
            .order_by(Notification.created_at)
        )
        return [(subject, body) for subject, body in db.execute(query)]


def _mailed_to(seeded: sessionmaker[Session], address: str) -> list[tuple[str, str]]:
    with unit_of_work(seeded) as db:
        query = select(EmailOutbox.subject, EmailOutbox.body).where(EmailOutbox.to == address)
        return [(subject, body) for subject, body in db.execute(query)]


def test_notices_are_written_in_each_readers_language_with_times_in_their_zone(
    moved: MovedClock,
    agencies: dict[str, str],
    receive: Callable[[dict[str, Any]], None],
    seeded: sessionmaker[Session],
    settings: Settings,
) -> None:
    """The officer reads French in Canada's zone (EDT in March), the administrator Hindi in
    India's; the same instant (17:00 UTC) is shown to each in their own zone, in the
    in-app notification and in the e-mail alike."""
    _prefer(seeded, "ca-officer", "fr", None)
    _prefer(seeded, "ca-admin", "hi", "Asia/Kolkata")
    request = payloads.inbound(agencies, priority="urgent")
    receive(request)
    reference = request["case_reference"]
    moved.to(timedelta(hours=6))
    assert _run(seeded, settings) == 1
    moved.to(timedelta(hours=8, seconds=1))
    assert _run(seeded, settings) == 1

    arrived, due_soon = _read_by(seeded, "ca-officer")
    assert arrived[0] == f"Nouveau message (Demande) de IN : {reference}"
    assert arrived[1] == "Priorité Urgente : Subscriber of +1 604 555 0199"
    assert due_soon[0] == f"Échéance proche : {reference}"
    assert "arrive à échéance le 2026-03-10 13:00 EDT" in due_soon[1]
    assert _mailed_to(seeded, "ca-officer@example.org")[-1][0] == due_soon[0]

    [overdue] = _read_by(seeded, "ca-admin")
    assert overdue[0] == f"विलंबित: {reference}"
    assert "2026-03-10 22:30 IST" in overdue[1]
    assert "उत्तर नहीं दिया गया" in overdue[1]
    [mail] = _mailed_to(seeded, "ca-admin@example.org")
    assert mail[0] == overdue[0]
    assert mail[1].startswith(overdue[1])
