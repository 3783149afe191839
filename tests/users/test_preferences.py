"""A user's preferences over the API: the party's zone by default, a chosen one kept, a
zone that does not exist refused with a sentence naming the field."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

Headers = Callable[[str], dict[str, str]]


def test_preferences_default_change_and_refusal(client: TestClient, auth_headers: Headers) -> None:
    headers = auth_headers("ca-officer")
    mine = client.get("/api/v1/me/preferences", headers=headers).json()
    assert mine == {
        "time_zone": "America/Toronto",
        "language": "en",
        "party_time_zone": "America/Toronto",
    }
    changed = client.put(
        "/api/v1/me/preferences",
        json={"time_zone": "Asia/Kolkata", "language": "fr"},
        headers=headers,
    )
    assert changed.status_code == 200
    assert changed.json()["time_zone"] == "Asia/Kolkata"
    assert client.get("/api/v1/me/preferences", headers=headers).json()["language"] == "fr"
    page = client.get("/", headers=headers | {"Accept": "text/html"}).text
    assert '<html lang="fr">' in page
    assert "Asia/Kolkata (IST)" in page
    bad = client.put("/api/v1/me/preferences", json={"time_zone": "Mars/Olympus"}, headers=headers)
    assert bad.status_code == 422
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert "is not a time zone" in bad.text
