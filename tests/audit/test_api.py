"""The audit log as an administrator sees it: what is recorded, the API, the web page."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from tests.support.web import HTML, web_login

Headers = Callable[[str], dict[str, str]]


def _entries(client: TestClient, headers: dict[str, str], **filters: str) -> list[dict]:  # type: ignore[type-arg]
    answer = client.get("/api/v1/audit", params=filters, headers=headers)
    assert answer.status_code == 200, answer.text
    entries: list[dict] = answer.json()["entries"]  # type: ignore[type-arg]
    return entries


def test_existing_actions_and_officer_reads_are_recorded(
    client: TestClient, auth_headers: Headers
) -> None:
    admin = auth_headers("ca-admin")
    officer_headers = auth_headers("ca-officer")
    assert web_login(client, "ca-analyst", "wrong password") == 401
    assert web_login(client, "ca-analyst", "liaison-demo-ca-analyst") == 303
    agency_id = client.get("/api/v1/agencies?party=CA", headers=admin).json()[0]["id"]
    created = client.post(
        "/api/v1/users",
        json={
            "username": "auditee",
            "display_name": "Audited analyst",
            "password": "correct horse battery",
            "role": "analyst",
            "agency_id": agency_id,
        },
        headers=admin,
    )
    assert created.status_code == 201
    client.put("/api/v1/users/auditee/role", json={"role": "viewer"}, headers=admin)
    officer_id = client.get("/api/v1/officers", headers=officer_headers).json()[0]["id"]
    assert client.get(f"/api/v1/officers/{officer_id}", headers=officer_headers).status_code == 200

    logins = _entries(client, admin, object_type="user", object_id="ca-analyst")
    assert [e["action"] for e in logins] == ["users.login.succeeded", "users.login.failed"]
    assert logins[1]["actor"] == "user:ca-analyst"
    assert [e["action"] for e in _entries(client, admin, object_id="auditee")] == [
        "users.user.role_changed",
        "users.user.created",
    ]
    reads = _entries(client, admin, action="directory.officer.read")
    assert [(e["actor"], e["object_id"]) for e in reads] == [("user:ca-officer", officer_id)]
    tokens = _entries(client, admin, action="users.token.created")
    assert {e["detail"]["user"] for e in tokens} >= {"ca-admin", "ca-officer"}
    page = client.get("/api/v1/audit", params={"limit": 2}, headers=admin).json()
    older = client.get(
        "/api/v1/audit", params={"limit": 2, "before": page["next_before"]}, headers=admin
    ).json()
    assert older["entries"][0]["sequence"] == page["entries"][-1]["sequence"] - 1


def test_only_administrators_read_the_log(client: TestClient, auth_headers: Headers) -> None:
    for user in ("ca-officer", "ca-legal", "ca-viewer"):
        assert client.get("/api/v1/audit", headers=auth_headers(user)).status_code == 403
        assert client.get("/api/v1/audit/verify", headers=auth_headers(user)).status_code == 403
    bad = client.get("/api/v1/audit", params={"limit": 100000}, headers=auth_headers("ca-admin"))
    assert bad.status_code == 422
    assert "limit" in bad.text


def test_verify_endpoint_names_the_edited_entry(
    client: TestClient, auth_headers: Headers, seeded: sessionmaker[Session]
) -> None:
    admin = auth_headers("ca-admin")
    officer_id = client.get("/api/v1/officers", headers=admin).json()[0]["id"]
    for _ in range(3):
        client.get(f"/api/v1/officers/{officer_id}", headers=admin)
    before = client.get("/api/v1/audit/verify", headers=admin).json()
    assert before["ok"] is True
    assert before["entries"] >= 2
    with unit_of_work(seeded) as db:
        db.execute(text("UPDATE audit_log SET actor = 'user:nobody' WHERE sequence = 2"))
    after = client.get("/api/v1/audit/verify", headers=admin).json()
    assert after["ok"] is False
    assert after["first_problem"]["sequence"] == 2
    assert "altered" in after["first_problem"]["message"]


def test_audit_page_lists_entries_and_verifies(
    client: TestClient, seeded: sessionmaker[Session]
) -> None:
    assert web_login(client, "ca-admin", "liaison-demo-ca-admin") == 303
    home = client.get("/", headers=HTML)
    assert 'href="/audit"' in home.text
    page = client.get("/audit", headers=HTML)
    assert page.status_code == 200
    assert "users.login.succeeded" in page.text
    assert "Verify the chain" in page.text
    officer_id = re.findall(
        r'href="/directory/officers/([0-9a-f-]{36})"',
        client.get("/directory/officers", headers=HTML).text,
    )[0]
    assert client.get(f"/directory/officers/{officer_id}", headers=HTML).status_code == 200
    verified = client.get("/audit?verify=true", headers=HTML)
    assert "The audit log is intact." in verified.text
    with unit_of_work(seeded) as db:
        db.execute(text("DELETE FROM audit_log WHERE sequence = 1"))
    failed = client.get("/audit?verify=true", headers=HTML)
    assert re.search(r"FAILED verification at entry 1:</strong>\s*entry 1 is missing", failed.text)
    filtered = client.get("/audit?action=users.login.succeeded", headers=HTML)
    assert "Clear filters" in filtered.text


def test_audit_page_is_for_administrators_only(client: TestClient) -> None:
    assert web_login(client, "ca-officer", "liaison-demo-ca-officer") == 303
    assert 'href="/audit"' not in client.get("/", headers=HTML).text
    assert client.get("/audit", headers=HTML).status_code == 403
