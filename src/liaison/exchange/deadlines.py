"""Response deadlines of received requests: start, pause, resume, escalate.

- The clock starts when the request is received on this node: the deadline is the
  receipt time plus the response time of its priority (settings
  ``exchange_deadline_hours_*``: urgent 8 h, high 3 d, normal 7 d, low 30 d).
  The arrangement with the other party may set its own times (``response_hours`` in
  policy/vocab.toml; the operator's ``exchange_deadline_hours_by_party`` overrides it).
- The requester's node runs the same clock on each request it sends, from when it
  leaves, with the recipient party's times: in a multilateral case each recipient
  party has its own deadline, and "overdue" is per party (``recipients.py``).
- A documented request for clarification pauses it; the answer resumes it and moves
  the deadline by the paused time. Every interval is kept in ``Message.pauses``.
- The escalation job (worker, every ``exchange_escalation_minutes``) notifies the
  node's liaison officers (and the assigned analyst) once when the request is "due
  soon" (``exchange_due_soon_fraction`` of the time used, default 75%), and the
  agency head once when it is overdue. The agency head is modelled as the admin
  user(s) of the receiving agency; when that agency has none, the node's admins.
  Each escalation is stamped on the message, so it happens once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.exchange.access import copy_text
from liaison.kit import clock
from liaison.kit.i18n import Label, Text
from liaison.kit.plugin import N_
from liaison.kit.roles import Role
from liaison.ledger.service import record
from liaison.models import Case, Message, User
from liaison.notifications.service import notify, notify_role
from liaison.policy.vocab import RESPONSE_HOURS

CLOCKED_TYPES = frozenset({"request"})


def response_window(settings: Settings, priority: str, party: str | None = None) -> timedelta:
    """The response time of a request of ``priority`` to or from ``party``."""
    hours = {
        "urgent": settings.exchange_deadline_hours_urgent,
        "high": settings.exchange_deadline_hours_high,
        "normal": settings.exchange_deadline_hours_normal,
        "low": settings.exchange_deadline_hours_low,
    }[priority]
    if party is not None:
        hours = RESPONSE_HOURS.get(party, {}).get(priority, hours)
        hours = settings.exchange_deadline_hours_by_party.get(party, {}).get(priority, hours)
    return timedelta(hours=hours)


def other_party(message: Message) -> str:
    """The party at the other end of the message: its sender or its recipient."""
    return message.from_party if message.direction == "in" else message.to_party


def start(message: Message, settings: Settings, at: datetime) -> None:
    window = response_window(settings, message.priority, other_party(message))
    message.window_seconds = int(window.total_seconds())
    message.deadline_at = at + window
    message.paused_since = None
    message.pauses = []


def pause(message: Message, at: datetime) -> None:
    if message.deadline_at is None or message.paused_since is not None:
        return
    message.paused_since = at


def resume(message: Message, at: datetime) -> None:
    """Move the deadline by the time the clock was paused."""
    if message.deadline_at is None or message.paused_since is None:
        return
    paused = at - message.paused_since
    message.deadline_at = message.deadline_at + paused
    message.pauses = [
        *message.pauses,
        {"from": message.paused_since.isoformat(), "to": at.isoformat()},
    ]
    message.paused_since = None


def _link(case_id: str) -> str:
    return f"/exchange/cases/{case_id}"


def _agency_heads(db: Session, agency_id: str) -> list[str]:
    admins = select(User.id).where(User.role == Role.ADMIN.value, User.is_active.is_(True))
    heads = list(db.scalars(admins.where(User.agency_id == agency_id)))
    return heads or list(db.scalars(admins))


def _due_soon(db: Session, settings: Settings, message: Message, case: Case) -> None:
    subject = Text(N_("Due soon: %(case)s"), case=case.reference)
    body = Text(
        N_("Request “%(subject)s” (%(case)s, priority: %(priority)s) is due %(due)s."),
        priority=Label(message.priority),
        subject=copy_text(message),
        case=case.reference,
        due=message.deadline_at,
    )
    notify_role(
        db,
        party_code=settings.party,
        roles=[Role.LIAISON_OFFICER],
        subject=subject,
        body=body,
        link=_link(case.id),
        kind="warning",
    )
    if case.assigned_to:
        notify(
            db,
            user_ids=[case.assigned_to],
            subject=subject,
            body=body,
            link=_link(case.id),
            kind="warning",
        )


def _overdue(db: Session, settings: Settings, message: Message, case: Case) -> None:
    notify(
        db,
        user_ids=_agency_heads(db, message.to_agency_id),
        subject=Text(N_("Overdue: %(case)s"), case=case.reference),
        body=Text(
            N_(
                "Request “%(subject)s” (%(case)s, priority: %(priority)s) was due %(due)s "
                "and is not answered."
            ),
            priority=Label(message.priority),
            subject=copy_text(message),
            case=case.reference,
            due=message.deadline_at,
        ),
        link=_link(case.id),
        kind="danger",
    )


def escalate(db: Session, settings: Settings) -> int:
    """Send every escalation that is due now, once. Returns how many were sent."""
    now = clock.now()
    query = (
        select(Message, Case)
        .join(Case, Case.id == Message.case_id)
        .where(
            Message.direction == "in",
            Message.status == "received",
            Message.deadline_at.is_not(None),
            Message.paused_since.is_(None),
            or_(Message.due_soon_notified_at.is_(None), Message.overdue_notified_at.is_(None)),
        )
        .order_by(Message.deadline_at)
        .limit(500)
    )
    sent = 0
    for message, case in db.execute(query).all():
        assert message.deadline_at is not None
        window = timedelta(seconds=message.window_seconds or 0)
        due_soon_at = message.deadline_at - window * (1 - settings.exchange_due_soon_fraction)
        if message.due_soon_notified_at is None and now >= due_soon_at:
            message.due_soon_notified_at = now
            _due_soon(db, settings, message, case)
            sent += 1
        if message.overdue_notified_at is None and now >= message.deadline_at:
            message.overdue_notified_at = now
            _overdue(db, settings, message, case)
            record(
                db,
                actor="system",
                action="exchange.message.overdue",
                object_type="exchange.message",
                object_id=message.id,
                detail={"deadline_at": message.deadline_at.isoformat()},
            )
            sent += 1
    sent += _overdue_abroad(db, settings, now)
    db.flush()
    return sent


def _overdue_abroad(db: Session, settings: Settings, now: datetime) -> int:
    """The requester's side: a request this node sent whose recipient party has not
    answered by its deadline; the node's liaison officers are told once, per party."""
    query = (
        select(Message, Case)
        .join(Case, Case.id == Message.case_id)
        .where(
            Message.direction == "out",
            Message.type.in_(CLOCKED_TYPES),
            Message.status.in_(("queued", "sent", "delivered")),
            Message.deadline_at < now,
            Message.overdue_notified_at.is_(None),
        )
        .order_by(Message.deadline_at)
        .limit(500)
    )
    rows = db.execute(query).all()
    for message, case in rows:
        message.overdue_notified_at = now
        notify_role(
            db,
            party_code=settings.party,
            roles=[Role.LIAISON_OFFICER],
            subject=Text(
                N_("Not answered by %(party)s: %(case)s"),
                party=message.to_party,
                case=case.reference,
            ),
            body=Text(
                N_("Request “%(subject)s” (%(case)s) to %(party)s was due %(due)s."),
                subject=copy_text(message),
                case=case.reference,
                party=message.to_party,
                due=message.deadline_at,
            ),
            link=_link(case.id),
            kind="warning",
        )
        record(
            db,
            actor="system",
            action="exchange.message.overdue",
            object_type="exchange.message",
            object_id=message.id,
            detail={"party": message.to_party, "deadline_at": str(message.deadline_at)},
        )
    return len(rows)
