"""Signing in through the real login form, for the policy pages."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

HTML = {"Accept": "text/html,application/xhtml+xml"}
SignIn = Callable[[str], str]


@pytest.fixture
def sign_in(client: TestClient) -> SignIn:
    """Sign in as a browser does; returns the session's CSRF token."""

    def _sign_in(username: str) -> str:
        client.get("/login", headers=HTML)
        login_token = client.cookies.get("liaison_login_csrf")
        done = client.post(
            "/login",
            data={
                "username": username,
                "password": f"liaison-demo-{username}",
                "csrf_token": login_token,
                "next": "/",
            },
            headers=HTML,
            follow_redirects=False,
        )
        assert done.status_code == 303, done.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/", headers=HTML).text)
        assert token
        return token.group(1)

    return _sign_in
