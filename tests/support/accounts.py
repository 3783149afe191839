"""API tokens for the demo users, issued straight into a node's database."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.users import service
from liaison.users.auth import caller_for
from liaison.users.repository import find_login_user
from liaison.users.schemas import TokenCreate


def demo_password(username: str) -> str:
    return f"liaison-demo-{username}"


def bearer_headers(
    factory: sessionmaker[Session], secret_key: bytes, username: str
) -> dict[str, str]:
    """{"Authorization": "Bearer ..."} with a fresh API token for a demo user."""
    with unit_of_work(factory) as db:
        user = find_login_user(db, username)
        assert user is not None, username
        _, plaintext = service.issue_token(
            db, secret_key, caller_for(db, user), username, TokenCreate(name="test")
        )
    return {"Authorization": f"Bearer {plaintext}"}
