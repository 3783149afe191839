"""Signing in through the real login form, as a browser does."""

from __future__ import annotations

from fastapi.testclient import TestClient

HTML = {"Accept": "text/html,application/xhtml+xml"}


def web_login(client: TestClient, username: str, password: str) -> int:
    """Status of the sign-in POST: 303 on success, 401 on a wrong password."""
    client.get("/login", headers=HTML)
    token = client.cookies.get("liaison_login_csrf")
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        headers=HTML,
        follow_redirects=False,
    )
    return answer.status_code
