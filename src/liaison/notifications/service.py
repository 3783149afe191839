"""Notify users: an in-app row each, and a queued e-mail for those with an address.

Services flush, never commit; the mail itself leaves from the worker
(``notifications.mailer``) after the transaction has committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from liaison.kit import clock
from liaison.kit.errors import NotFound
from liaison.kit.i18n import DEFAULT, Text, rendered
from liaison.kit.plugin import N_
from liaison.kit.roles import Role
from liaison.models import Agency, EmailOutbox, Notification, Party, User, UserEmail


def notify(
    db: Session,
    *,
    user_ids: Sequence[str],
    subject: str | Text,
    body: str | Text,
    link: str | None = None,
    kind: str = "info",
) -> None:
    """One in-app notification per user; one queued e-mail per user with an address. A
    ``Text`` is written for each reader: in their language, times in their zone."""
    unique = list(dict.fromkeys(user_ids))
    if not unique:
        return
    for reader in _readers(db, unique):
        reader_subject = rendered(subject, reader.language, reader.zone)[:300]
        reader_body = rendered(body, reader.language, reader.zone)
        db.add(
            Notification(
                user_id=reader.user_id,
                kind=kind,
                subject=reader_subject,
                body=reader_body,
                link=link,
            )
        )
        if reader.email:
            text = f"{reader_body}\n\n{link}" if link else reader_body
            db.add(EmailOutbox(to=reader.email, subject=reader_subject, body=text))
    db.flush()


@dataclass(frozen=True)
class _Reader:
    user_id: str
    language: str
    zone: str
    email: str | None


def _readers(db: Session, user_ids: Sequence[str]) -> list[_Reader]:
    """Each user's language (theirs, else English), zone (theirs, else their party's, else
    UTC) and e-mail address, in the order given."""
    rows = db.execute(
        select(User.id, User.language, User.time_zone, Party.time_zone, UserEmail.email)
        .outerjoin(Agency, Agency.id == User.agency_id)
        .outerjoin(Party, Party.code == Agency.party_code)
        .outerjoin(UserEmail, UserEmail.user_id == User.id)
        .where(User.id.in_(user_ids))
    ).all()
    found = {
        row[0]: _Reader(row[0], row[1] or DEFAULT, row[2] or row[3] or "UTC", row[4])
        for row in rows
    }
    return [found[user_id] for user_id in user_ids if user_id in found]


def notify_role(
    db: Session,
    *,
    party_code: str,
    roles: Sequence[Role],
    agency_id: str | None = None,
    subject: str | Text,
    body: str | Text,
    link: str | None = None,
    kind: str = "info",
) -> None:
    """Notify every active user of the party (optionally one agency) holding one of the roles."""
    query = (
        select(User.id)
        .join(Agency, Agency.id == User.agency_id)
        .where(
            Agency.party_code == party_code,
            User.role.in_([role.value for role in roles]),
            User.is_active.is_(True),
        )
    )
    if agency_id is not None:
        query = query.where(User.agency_id == agency_id)
    notify(db, user_ids=list(db.scalars(query)), subject=subject, body=body, link=link, kind=kind)


def set_email(db: Session, *, user_id: str, email: str | None) -> None:
    """Set (or with None remove) the address a user's notifications are mailed to."""
    row = db.get(UserEmail, user_id)
    if email is None:
        if row is not None:
            db.delete(row)
    elif row is None:
        db.add(UserEmail(user_id=user_id, email=email))
    else:
        row.email = email
    db.flush()


def list_for(db: Session, user_id: str, *, limit: int = 100) -> list[Notification]:
    query = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(db.scalars(query))


def unread_count(db: Session, user_id: str) -> int:
    query = select(func.count()).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    return int(db.scalar(query) or 0)


def mark_read(db: Session, user_id: str, notification_id: str) -> Notification:
    """Mark one of the user's own notifications read; another user's answers 404."""
    row = db.scalar(
        select(Notification).where(
            Notification.id == notification_id, Notification.user_id == user_id
        )
    )
    if row is None:
        raise NotFound(N_("no such notification"))
    if row.read_at is None:
        row.read_at = clock.now()
    db.flush()
    return row


def mark_all_read(db: Session, user_id: str) -> None:
    db.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
