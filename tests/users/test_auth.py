"""Sign-in, throttling, sessions and their expiry (service level, both backends)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.kit.errors import TooManyAttempts
from liaison.models import ApiToken
from liaison.users import auth
from liaison.users.repository import find_login_user
from liaison.users.schemas import TokenCreate
from liaison.users.service import issue_token


def test_right_and_wrong_passwords(settings: Settings, seeded: sessionmaker[Session]) -> None:
    with unit_of_work(seeded) as db:
        ok = auth.check_password(db, settings, "CA-Admin", "liaison-demo-ca-admin", "1.2.3.4")
        assert ok is not None
        assert ok.username == "ca-admin"
        assert auth.check_password(db, settings, "ca-admin", "wrong", "1.2.3.4") is None
        assert auth.check_password(db, settings, "nobody", "whatever", "1.2.3.4") is None


def test_repeated_failures_lock_the_account_then_release(
    settings: Settings, seeded: sessionmaker[Session]
) -> None:
    start = clock.now()
    clock.set_clock(lambda: start)
    for _ in range(settings.login_max_failures):
        with unit_of_work(seeded) as db:
            assert auth.check_password(db, settings, "ca-legal", "guess", "10.0.0.9") is None
    with unit_of_work(seeded) as db, pytest.raises(TooManyAttempts) as locked:
        # Even the right password is refused while locked: guessing gains nothing.
        auth.check_password(db, settings, "ca-legal", "liaison-demo-ca-legal", "10.0.0.9")
    assert locked.value.retry_after_seconds > 0
    assert "too many failed sign-ins" in str(locked.value)
    later = start + timedelta(minutes=settings.login_lockout_minutes, seconds=1)
    clock.set_clock(lambda: later)
    with unit_of_work(seeded) as db:
        assert auth.check_password(db, settings, "ca-legal", "liaison-demo-ca-legal", "x")


def test_sessions_expire_and_can_be_closed(
    settings: Settings, seeded: sessionmaker[Session]
) -> None:
    with unit_of_work(seeded) as db:
        user = find_login_user(db, "ca-officer")
        assert user is not None
        plaintext, _ = auth.open_session(db, settings, user)
    with unit_of_work(seeded) as db:
        caller = auth.caller_from_session(db, settings, plaintext)
        assert caller is not None
        assert caller.role == "liaison_officer"
        assert caller.csrf_token
    expired = clock.now() + timedelta(hours=settings.session_hours, seconds=1)
    clock.set_clock(lambda: expired)
    with unit_of_work(seeded) as db:
        assert auth.caller_from_session(db, settings, plaintext) is None
    clock.reset_clock()
    with unit_of_work(seeded) as db:
        auth.close_session(db, settings, plaintext)
    with unit_of_work(seeded) as db:
        assert auth.caller_from_session(db, settings, plaintext) is None


def test_session_tokens_from_another_node_secret_do_not_work(
    settings: Settings, seeded: sessionmaker[Session], tmp_path: object
) -> None:
    with unit_of_work(seeded) as db:
        user = find_login_user(db, "ca-viewer")
        assert user is not None
        plaintext, _ = auth.open_session(db, settings, user)
    other = Settings(party="CA", data_dir=settings.data_dir / "other")
    other.ensure_secret_key()
    with unit_of_work(seeded) as db:
        assert auth.caller_from_session(db, other, plaintext) is None


def test_a_tokens_last_use_is_kept_to_the_minute(
    settings: Settings, seeded: sessionmaker[Session]
) -> None:
    """A busy API client does not write a row per request: "last used" moves once a minute."""
    start = clock.now()
    with unit_of_work(seeded) as db:
        user = find_login_user(db, "ca-officer")
        assert user is not None
        _, plaintext = issue_token(db, settings.secret_key, auth.caller_for(db, user),
                                   "ca-officer", TokenCreate(name="bench"))  # fmt: skip

    def last_used_after_a_request_at(moment: datetime) -> datetime | None:
        clock.set_clock(lambda: moment)
        with unit_of_work(seeded) as db:
            assert auth.caller_from_token(db, settings, plaintext) is not None
        with unit_of_work(seeded) as db:
            return db.scalar(select(ApiToken.last_used_at).where(ApiToken.name == "bench"))

    try:
        assert last_used_after_a_request_at(start) == start
        assert last_used_after_a_request_at(start + timedelta(seconds=59)) == start
        later = start + timedelta(seconds=61)
        assert last_used_after_a_request_at(later) == later
    finally:
        clock.reset_clock()
