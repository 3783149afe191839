"""User management: accounts, roles and API tokens. Flushes, never commits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.kit import clock
from liaison.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.repository import found
from liaison.kit.roles import Caller, Role, is_reserved_username
from liaison.kit.security import hash_password, new_token, token_digest
from liaison.ledger.service import trail
from liaison.models import Agency, ApiToken, Party, User
from liaison.users.repository import UserRepository
from liaison.users.schemas import (
    Language,
    PreferencesOut,
    PreferencesUpdate,
    TokenCreate,
    UserCreate,
)

TOKEN_PREFIX = "lsn"  # noqa: S105  (a label, not a secret)


def _require_admin(caller: Caller) -> None:
    if not caller.is_admin:
        raise Forbidden(N_("only an administrator may manage users"))


def create_user(db: Session, caller: Caller, data: UserCreate) -> User:
    _require_admin(caller)
    if is_reserved_username(data.username):  # also checked by UserCreate; callers may skip it
        raise ValidationFailed.on_field(
            "username", Text(N_("'%(username)s' is reserved"), username=data.username)
        )
    agency = db.get(Agency, data.agency_id)
    if agency is None or agency.party_code != caller.party_code:
        raise ValidationFailed.on_field(
            "agency_id", N_("no agency of this node's party has that id")
        )
    if db.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise Conflict.on_field(
            "username", Text(N_("username '%(username)s' is taken"), username=data.username)
        )
    user = User(
        username=data.username,
        display_name=data.display_name,
        password_hash=hash_password(data.password),
        role=data.role.value,
        agency_id=agency.id,
    )
    db.add(user)
    db.flush()
    trail(db, caller, "users.user.created", "user", user.username, role=user.role)
    return user


def get_user(db: Session, caller: Caller, username: str) -> User:
    user = found(
        UserRepository(db, caller).by_username(username),
        Text(N_("no user '%(username)s'"), username=username),
    )
    return user


def set_role(db: Session, caller: Caller, username: str, role: Role) -> User:
    _require_admin(caller)
    user = get_user(db, caller, username)
    user.role = role.value
    db.flush()
    trail(db, caller, "users.user.role_changed", "user", user.username, role=user.role)
    return user


def issue_token(
    db: Session, secret_key: bytes, caller: Caller, username: str, data: TokenCreate
) -> tuple[ApiToken, str]:
    """A new API token for ``username``; the caller must be that user or an admin."""
    user = get_user(db, caller, username)
    plaintext = new_token(TOKEN_PREFIX)
    expires = clock.now() + timedelta(days=data.expires_in_days) if data.expires_in_days else None
    token = ApiToken(
        name=data.name,
        token_digest=token_digest(secret_key, plaintext),
        user_id=user.id,
        expires_at=expires,
    )
    db.add(token)
    db.flush()
    trail(db, caller, "users.token.created", "users.token", token.id, user=user.username)
    return token, plaintext


def list_tokens(db: Session, caller: Caller) -> list[ApiToken]:
    return list(
        db.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == caller.user_id)
            .order_by(ApiToken.created_at.desc())
        )
    )


def revoke_token(db: Session, caller: Caller, token_id: str) -> ApiToken:
    token = db.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == caller.user_id)
    )
    if token is None:
        raise NotFound(Text(N_("no token %(token_id)s"), token_id=token_id))
    token.revoked_at = token.revoked_at or clock.now()
    db.flush()
    trail(db, caller, "users.token.revoked", "users.token", token.id)
    return token


def _party_zone(db: Session, user: User) -> str | None:
    agency = db.get(Agency, user.agency_id)
    party = db.get(Party, agency.party_code) if agency else None
    return party.time_zone if party else None


def preferences(db: Session, caller: Caller) -> PreferencesOut:
    """The caller's own time zone (theirs, else their party's) and language."""
    user = get_user(db, caller, caller.username)
    party_zone = _party_zone(db, user)
    return PreferencesOut(
        time_zone=user.time_zone or party_zone or "UTC",
        language=Language(user.language or Language.ENGLISH.value),
        party_time_zone=party_zone,
    )


def set_preferences(db: Session, caller: Caller, data: PreferencesUpdate) -> PreferencesOut:
    """Anyone may set their own; choosing the party's zone follows the party's default."""
    user = get_user(db, caller, caller.username)
    party_zone = _party_zone(db, user)
    user.time_zone = None if data.time_zone == party_zone else data.time_zone
    user.language = data.language.value
    db.flush()
    trail(
        db,
        caller,
        "users.preferences.changed",
        "user",
        user.username,
        time_zone=data.time_zone,
        language=data.language.value,
    )
    return preferences(db, caller)


def set_language(db: Session, caller: Caller, language: Language) -> None:
    """The language switcher: the language pages are shown in, kept for the next session."""
    user = get_user(db, caller, caller.username)
    user.language = language.value
    db.flush()
    trail(db, caller, "users.preferences.changed", "user", user.username, language=language.value)
