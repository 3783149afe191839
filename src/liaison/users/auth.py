"""Authentication: password login with throttling, web sessions, bearer tokens."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.kit import clock
from liaison.kit.errors import TooManyAttempts
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller, Role
from liaison.kit.security import token_digest, verify_password
from liaison.ledger.service import trail
from liaison.models import Agency, LoginAttempt, Party, User, WebSession
from liaison.users import repository

SESSION_PREFIX = "lss"
# A token's "last used" is kept to this precision: a script calling many times a minute
# does not rewrite its token row on every request.
TOKEN_USE_PRECISION = timedelta(minutes=1)


def caller_for(db: Session, user: User, csrf_token: str | None = None) -> Caller:
    agency = db.get(Agency, user.agency_id)
    assert agency is not None  # foreign key guarantees it
    return signed_caller(user, agency, db.get(Party, agency.party_code), csrf_token)


def signed_caller(
    user: User, agency: Agency, party: Party | None, csrf_token: str | None = None
) -> Caller:
    zone = user.time_zone or (party.time_zone if party else None) or "UTC"
    return Caller(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=Role(user.role),
        agency_id=user.agency_id,
        party_code=agency.party_code,
        csrf_token=csrf_token,
        time_zone=zone,
        language=user.language,
    )


def locked_for(db: Session, settings: Settings, username: str) -> int | None:
    """Seconds until the account unlocks, or None if it is not locked."""
    failures, last_failure = repository.recent_failures(db, username, lockout_since(settings))
    return lock_remaining(settings, failures, last_failure)


def lockout_since(settings: Settings) -> datetime:
    """Failed sign-ins since this moment count towards the lockout."""
    return clock.now() - timedelta(minutes=settings.login_lockout_minutes)


def lock_remaining(settings: Settings, failures: int, last_failure: datetime | None) -> int | None:
    """Seconds until an account with these recent failures unlocks, or None."""
    if failures < settings.login_max_failures or last_failure is None:
        return None
    window = timedelta(minutes=settings.login_lockout_minutes)
    remaining = int((clock.as_utc(last_failure) + window - clock.now()).total_seconds())
    return max(remaining, 1)


def _locked(username: str, retry_after: int) -> TooManyAttempts:
    locked = N_(
        "too many failed sign-ins for '%(username)s'; try again in %(minutes)s minute(s) "
        "or ask an administrator"
    )
    return TooManyAttempts(
        Text(locked, username=username, minutes=max(retry_after // 60, 1)),
        retry_after_seconds=retry_after,
    )


def _refusal(
    db: Session, settings: Settings, username: str, client_ip: str
) -> tuple[str, TooManyAttempts] | None:
    """The audit action and error if sign-ins from this address are throttled or the
    account is locked (one query for both), else None."""
    window = timedelta(minutes=settings.login_lockout_minutes)
    now = clock.now()
    from_ip, for_user, last = repository.recent_failures_by(db, username, client_ip, now - window)
    if from_ip >= settings.login_source_max_failures:
        throttled = N_(
            "too many failed sign-ins from this address; try again in %(minutes)s minute(s)"
        )
        return "users.login.throttled", TooManyAttempts(
            Text(throttled, minutes=settings.login_lockout_minutes),
            retry_after_seconds=int(window.total_seconds()),
        )
    if for_user >= settings.login_max_failures and last is not None:
        remaining = int((clock.as_utc(last) + window - now).total_seconds())
        return "users.login.locked", _locked(username, max(remaining, 1))
    return None


def remembered_caller(
    db: Session,
    settings: Settings,
    username: str,
    password: str,
    client_ip: str,
    remembered: Callable[[str, str], bool],
) -> Caller | None:
    """The caller for a credential this process verified and recorded moments ago
    (``remembered``), if neither the address nor the account is locked; in the caller's
    own transaction, with no Argon2 check and nothing written.

    None means "not vouched for": the caller must take ``check_password``, which
    verifies, records the attempt, and records and raises a throttle or lock.
    """
    user = repository.find_login_user(db, username.strip().lower()[:100])
    if user is None or not user.is_active or not remembered(user.password_hash, password):
        return None
    if _refusal(db, settings, user.username, client_ip[:64]) is not None:
        return None
    return caller_for(db, user)


def check_password(
    db: Session,
    settings: Settings,
    username: str,
    password: str,
    client_ip: str,
) -> User | None:
    """The user if the password is right; records the attempt either way (a TAXII
    client paging with HTTP Basic is vouched for by ``remembered_caller`` in between).

    Raises TooManyAttempts while the account is locked after repeated failures; a
    locked account is refused even with the right password, so guessing gains nothing.
    """
    username = username.strip().lower()[:100]
    refusal = _refusal(db, settings, username, client_ip[:64])
    if refusal is not None:
        action, error = refusal
        trail(db, f"user:{username}", action, "user", username, ip=client_ip[:64])
        raise error
    user = repository.find_login_user(db, username)
    ok = verify_password(user.password_hash if user else None, password)
    db.add(LoginAttempt(username=username, client_ip=client_ip[:64], succeeded=ok))
    db.flush()
    outcome = "succeeded" if ok else "failed"
    trail(db, f"user:{username}", f"users.login.{outcome}", "user", username, ip=client_ip[:64])
    return user if ok else None


def open_session(db: Session, settings: Settings, user: User) -> tuple[str, WebSession]:
    plaintext = f"{SESSION_PREFIX}_{secrets.token_urlsafe(32)}"
    session = WebSession(
        token_digest=token_digest(settings.secret_key, plaintext),
        csrf_token=secrets.token_urlsafe(32),
        user_id=user.id,
        expires_at=clock.now() + timedelta(hours=settings.session_hours),
    )
    db.add(session)
    db.flush()
    return plaintext, session


def close_session(db: Session, settings: Settings, plaintext: str) -> None:
    digest = token_digest(settings.secret_key, plaintext)
    db.execute(delete(WebSession).where(WebSession.token_digest == digest))


def caller_from_session(db: Session, settings: Settings, plaintext: str) -> Caller | None:
    found = repository.session_by_digest(db, token_digest(settings.secret_key, plaintext))
    if found is None:
        return None
    session, user, agency, party = found[:4]
    if session.expires_at <= clock.now():
        return None
    return signed_caller(user, agency, party, csrf_token=session.csrf_token)


def caller_from_token(db: Session, settings: Settings, plaintext: str) -> Caller | None:
    digest = token_digest(settings.secret_key, plaintext)
    found = repository.token_by_digest(db, digest, lockout_since(settings))
    if found is None:
        return None
    token, user, agency, party, failures, last_failure = found
    now = clock.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    retry_after = lock_remaining(settings, failures, last_failure)
    if retry_after is not None:  # a locked account's tokens wait out the lock too
        raise _locked(user.username, retry_after)
    if token.last_used_at is None or clock.as_utc(token.last_used_at) + TOKEN_USE_PRECISION <= now:
        token.last_used_at = now
    return signed_caller(user, agency, party)
