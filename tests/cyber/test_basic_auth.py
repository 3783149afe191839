"""TAXII with HTTP Basic: a verified credential is remembered (under an HMAC, never the
password) so paging costs one Argon2 check, then what a Bearer token costs; the sign-in
is recorded when verified, every failure is, and a locked account is refused even with
a remembered credential."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from liaison.cyber import basic_cache
from liaison.cyber.taxii_http import TAXII_MEDIA_TYPE
from liaison.kit.db import unit_of_work
from liaison.models import LoginAttempt
from liaison.users import auth


def _basic(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}", "Accept": TAXII_MEDIA_TYPE}


def _attempts(seeded: sessionmaker[Session], username: str) -> int:
    with unit_of_work(seeded) as db:
        return (
            db.scalar(
                select(func.count())
                .select_from(LoginAttempt)
                .where(LoginAttempt.username == username)
            )
            or 0
        )


def test_basic_paging_verifies_once_records_every_request_and_lockout_holds(
    client: TestClient,
    seeded: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    verified: list[str] = []
    real = auth.verify_password

    def counting(password_hash: str | None, password: str) -> bool:
        verified.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", counting)
    monkeypatch.setattr(basic_cache, "CREDENTIALS", basic_cache.VerifiedCredentials())
    monkeypatch.setattr("liaison.cyber.taxii_http.CREDENTIALS", basic_cache.CREDENTIALS)
    good = _basic("ca-viewer", "liaison-demo-ca-viewer")
    for _ in range(4):
        assert client.get("/taxii2/cti/collections/", headers=good).status_code == 200
    assert len(verified) == 1  # remembered after the first
    assert _attempts(seeded, "ca-viewer") == 1  # the verified sign-in is on record
    assert "liaison-demo-ca-viewer" not in repr(basic_cache.CREDENTIALS._until)

    wrong = _basic("ca-viewer", "not-the-password")
    for _ in range(5):
        assert client.get("/taxii2/cti/collections/", headers=wrong).status_code == 401
    assert _attempts(seeded, "ca-viewer") == 6  # every failure is
    locked = client.get("/taxii2/cti/collections/", headers=good)
    assert locked.status_code == 429  # the remembered credential does not bypass lockout
    assert locked.json()["error_code"]
