"""User queries. The base query is filtered by the caller: non-admins see only themselves."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, NamedTuple, TypeVar

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from liaison.kit.repository import Repository
from liaison.kit.roles import RESERVED_USERNAMES, Caller
from liaison.models import Agency, ApiToken, LoginAttempt, Party, User, WebSession

C = TypeVar("C", ApiToken, WebSession)


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


def _may_sign_in() -> ColumnElement[bool]:
    """Active, and not holding a name reserved for the node (an account created before
    those names were refused stays inert)."""
    return and_(User.is_active, User.username.not_in(sorted(RESERVED_USERNAMES)))


def find_login_user(db: Session, username: str) -> User | None:
    """Unfiltered lookup used only by authentication, before there is a caller."""
    return db.scalar(select(User).where(User.username == username.lower(), _may_sign_in()))


def recent_failures(db: Session, username: str, since: datetime) -> tuple[int, datetime | None]:
    row = db.execute(_FAILURES, {"username": username.lower(), "since": since}).one()
    return int(row[0]), row[1]


# Built once (every API request signs in with these; building costs more than running).
_FAILURES = select(func.count(), func.max(LoginAttempt.attempted_at)).where(
    LoginAttempt.username == bindparam("username"),
    LoginAttempt.attempted_at >= bindparam("since"),
    LoginAttempt.succeeded.is_(False),
)


def recent_failures_by(
    db: Session, username: str, client_ip: str, since: datetime
) -> tuple[int, int, datetime | None]:
    """Failed sign-ins since ``since`` in one query: from this address (any username:
    password spraying), for this username, and the username's last failure."""
    for_user = LoginAttempt.username == username.lower()
    from_ip = LoginAttempt.client_ip == client_ip
    row = db.execute(
        select(
            func.count().filter(from_ip),
            func.count().filter(for_user),
            func.max(LoginAttempt.attempted_at).filter(for_user),
        ).where(
            or_(for_user, from_ip),
            LoginAttempt.attempted_at >= since,
            LoginAttempt.succeeded.is_(False),
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0), row[2]


class Signed(NamedTuple, Generic[C]):
    """A credential row with its user, the user's agency and party: one query signs a
    request in, not three. For a token, the user's failed sign-ins since ``since`` too
    (the lockout check in the same query)."""

    credential: C
    user: User
    agency: Agency
    party: Party | None
    failures: int = 0
    last_failure: datetime | None = None


def _failed_since(column: Any) -> Any:
    """The signed-in user's failed sign-ins since :since (correlated to User)."""
    return (
        select(column)
        .where(
            LoginAttempt.username == User.username,
            LoginAttempt.attempted_at >= bindparam("since"),
            LoginAttempt.succeeded.is_(False),
        )
        .scalar_subquery()
    )


def _signed_in(credential: type[ApiToken] | type[WebSession]) -> Executable:
    """A credential by its digest, with its user, the user's agency and party."""
    query = (
        select(credential, User, Agency, Party)
        .join(User, User.id == credential.user_id)
        .join(Agency, Agency.id == User.agency_id)
        .outerjoin(Party, Party.code == Agency.party_code)
        .where(credential.token_digest == bindparam("digest"), _may_sign_in())
    )
    if credential is WebSession:
        return query
    failures = _failed_since(func.count())
    last_failure = _failed_since(func.max(LoginAttempt.attempted_at))
    return query.add_columns(failures, last_failure).where(ApiToken.revoked_at.is_(None))


_SESSION = _signed_in(WebSession)
_TOKEN = _signed_in(ApiToken)


def session_by_digest(db: Session, digest: str) -> Signed[WebSession] | None:
    row = db.execute(_SESSION, {"digest": digest}).first()
    return None if row is None else Signed(row[0], row[1], row[2], row[3])


def token_by_digest(db: Session, digest: str, since: datetime) -> Signed[ApiToken] | None:
    """The token, its user, agency and party, and the user's failed sign-ins since
    ``since``: one query."""
    row = db.execute(_TOKEN, {"digest": digest, "since": since}).first()
    if row is None:
        return None
    return Signed(row[0], row[1], row[2], row[3], int(row[4] or 0), row[5])
