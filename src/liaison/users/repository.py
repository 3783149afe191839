"""User queries. The base query is filtered by the caller: non-admins see only themselves."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from liaison.kit.repository import Repository
from liaison.kit.roles import Caller
from liaison.models import ApiToken, LoginAttempt, User, WebSession


class UserRepository(Repository[Caller]):
    def _visible(self) -> Select[User]:
        query = select(User)
        if not self.caller.is_admin:
            query = query.where(User.id == self.caller.user_id)
        return query

    def list(self) -> list[User]:
        return list(self.db.scalars(self._visible().order_by(User.username)))

    def by_username(self, username: str) -> User | None:
        return self.db.scalar(self._visible().where(User.username == username.lower()))


def find_login_user(db: Session, username: str) -> User | None:
    """Unfiltered lookup used only by authentication, before there is a caller."""
    return db.scalar(select(User).where(User.username == username.lower(), User.is_active))


def recent_failures(db: Session, username: str, since: datetime) -> tuple[int, datetime | None]:
    row = db.execute(
        select(func.count(), func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.username == username.lower(),
            LoginAttempt.attempted_at >= since,
            LoginAttempt.succeeded.is_(False),
        )
    ).one()
    return int(row[0]), row[1]


def session_by_digest(db: Session, digest: str) -> tuple[WebSession, User] | None:
    row = db.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_digest == digest, User.is_active)
    ).first()
    return None if row is None else (row[0], row[1])


def token_by_digest(db: Session, digest: str) -> tuple[ApiToken, User] | None:
    row = db.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_digest == digest, ApiToken.revoked_at.is_(None), User.is_active)
    ).first()
    return None if row is None else (row[0], row[1])
