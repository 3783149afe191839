"""Users, roles and tokens through the API: access is filtered in the query."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.models import ApiToken

Headers = Callable[[str], dict[str, str]]


def test_admin_sees_all_users_others_only_themselves(
    client: TestClient, auth_headers: Headers
) -> None:
    admin = client.get("/api/v1/users", headers=auth_headers("ca-admin")).json()
    assert {u["username"] for u in admin} == {
        "ca-admin",
        "ca-officer",
        "ca-analyst",
        "ca-legal",
        "ca-viewer",
    }
    analyst = auth_headers("ca-analyst")
    assert [u["username"] for u in client.get("/api/v1/users", headers=analyst).json()] == [
        "ca-analyst"
    ]
    # Another user's record is not merely forbidden: for a non-admin it does not exist.
    assert client.get("/api/v1/users/ca-admin", headers=analyst).status_code == 404


def test_admin_creates_user_and_changes_role(client: TestClient, auth_headers: Headers) -> None:
    admin = auth_headers("ca-admin")
    agency_id = client.get("/api/v1/agencies?party=CA", headers=admin).json()[0]["id"]
    created = client.post(
        "/api/v1/users",
        json={
            "username": "Analyst.Two",
            "display_name": "Second analyst",
            "password": "correct horse battery",
            "role": "analyst",
            "agency_id": agency_id,
        },
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert created.json()["username"] == "analyst.two"
    assert "password" not in created.text
    changed = client.put("/api/v1/users/analyst.two/role", json={"role": "viewer"}, headers=admin)
    assert changed.json()["role"] == "viewer"
    duplicate = client.post(
        "/api/v1/users",
        json={
            "username": "analyst.two",
            "display_name": "Dup",
            "password": "another long password",
            "role": "viewer",
            "agency_id": agency_id,
        },
        headers=admin,
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["errors"][0]["field"] == "username"


def test_short_password_and_unknown_role_name_the_fields(
    client: TestClient, auth_headers: Headers
) -> None:
    response = client.post(
        "/api/v1/users",
        json={
            "username": "x1",
            "display_name": "X",
            "password": "short",
            "role": "superuser",
            "agency_id": "nope",
        },
        headers=auth_headers("ca-admin"),
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"password", "role"}


def test_non_admin_cannot_create_users(client: TestClient, auth_headers: Headers) -> None:
    officer = auth_headers("ca-officer")
    response = client.post(
        "/api/v1/users",
        json={
            "username": "sneaky",
            "display_name": "Sneaky",
            "password": "long enough password",
            "role": "admin",
            "agency_id": "x",
        },
        headers=officer,
    )
    assert response.status_code == 403
    admin_view = client.get("/api/v1/users", headers=auth_headers("ca-admin")).json()
    assert "sneaky" not in {u["username"] for u in admin_view}


def test_tokens_are_hashed_at_rest_and_revocable(
    client: TestClient, auth_headers: Headers, seeded: sessionmaker[Session]
) -> None:
    headers = auth_headers("ca-analyst")
    issued = client.post("/api/v1/tokens", json={"name": "script"}, headers=headers)
    assert issued.status_code == 201
    token = issued.json()["token"]
    with seeded() as db:
        digests = list(db.scalars(select(ApiToken.token_digest)))
    assert token not in digests
    assert all(len(d) == 64 for d in digests)
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=bearer).json()["username"] == "ca-analyst"
    revoked = client.delete(f"/api/v1/tokens/{issued.json()['id']}", headers=headers)
    assert revoked.json()["revoked_at"] is not None
    refused = client.get("/api/v1/me", headers=bearer)
    assert refused.status_code == 401
    assert refused.json()["code"] == "not_authenticated"
