"""The hit/no-hit page as officers and administrators see it (no peer needed)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.web import HTML, sign_in


def test_officers_see_the_check_forms_and_admins_the_index(client: TestClient) -> None:
    officer_page(client)
    client.cookies.clear()
    admin_page_and_a_check_without_purpose(client)


def officer_page(client: TestClient) -> None:
    sign_in(client, "ca-officer")
    page = client.get("/hitcheck", headers=HTML)
    assert page.status_code == 200, page.text
    assert 'id="bulk-form"' in page.text
    assert 'id="index-status"' not in page.text
    assert 'href="/hitcheck"' in page.text  # the navigation link


def admin_page_and_a_check_without_purpose(client: TestClient) -> None:
    csrf = sign_in(client, "ca-admin", "/hitcheck")
    page = client.get("/hitcheck", headers=HTML)
    assert 'id="index-status"' in page.text
    answer = client.post(
        "/hitcheck/check",
        data={"csrf_token": csrf, "category": "phone", "value": "+919876543210", "purpose": ""},
        headers=HTML,
    )
    assert answer.status_code == 422
    assert "Purpose" in answer.text
