"""User management: accounts, roles and API tokens. Flushes, never commits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.kit import clock
from liaison.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from liaison.kit.repository import found
from liaison.kit.roles import Caller, Role
from liaison.kit.security import hash_password, new_token, token_digest
from liaison.ledger.service import trail
from liaison.models import Agency, ApiToken, User
from liaison.users.repository import UserRepository
from liaison.users.schemas import TokenCreate, UserCreate

TOKEN_PREFIX = "lsn"  # noqa: S105  (a label, not a secret)


def _require_admin(caller: Caller) -> None:
    if not caller.is_admin:
        raise Forbidden("only an administrator may manage users")


def create_user(db: Session, caller: Caller, data: UserCreate) -> User:
    _require_admin(caller)
    agency = db.get(Agency, data.agency_id)
    if agency is None or agency.party_code != caller.party_code:
        raise ValidationFailed.on_field("agency_id", "no agency of this node's party has that id")
    if db.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise Conflict.on_field("username", f"username '{data.username}' is taken")
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
    user = found(UserRepository(db, caller).by_username(username), f"user '{username}'")
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
        raise NotFound(f"no token {token_id}")
    token.revoked_at = token.revoked_at or clock.now()
    db.flush()
    trail(db, caller, "users.token.revoked", "users.token", token.id)
    return token
