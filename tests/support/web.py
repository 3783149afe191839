"""Signing in to the web UI through the real login form, from a TestClient, as a
browser does (tests/support/browser.py has the Playwright sign-in)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.support.accounts import demo_password

HTML = {"Accept": "text/html,application/xhtml+xml"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def web_login(client: TestClient, username: str, password: str) -> int:
    """Status of the sign-in POST: 303 on success, 401 on a wrong password."""
    form = client.get("/login", headers=HTML)
    assert form.status_code == 200
    token = client.cookies.get("liaison_login_csrf")
    assert token
    assert f'value="{token}"' in form.text, "the login form carries its CSRF token"
    answer = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        headers=HTML,
        follow_redirects=False,
    )
    return answer.status_code


def sign_in(client: TestClient, username: str, page: str = "/") -> str:
    """Sign in as a demo user; returns the session's CSRF token, read from ``page``."""
    assert web_login(client, username, demo_password(username)) == 303
    found = CSRF.search(client.get(page, headers=HTML).text)
    assert found, "the signed-in page carries the session's CSRF token"
    return found.group(1)
