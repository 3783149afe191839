"""The web's error page is in the reader's language: its title and what went wrong
(issue 17); the same refusal over the API stays English without Accept-Language."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

Headers = Callable[[str], dict[str, str]]
HTML = {"Accept": "text/html"}
MISSING = "01900000-0000-7000-8000-000000000000"


def test_a_missing_message_is_explained_in_french_then_in_hindi(
    client: TestClient, auth_headers: Headers
) -> None:
    officer = auth_headers("ca-officer") | HTML
    english = client.get(f"/exchange/messages/{MISSING}", headers=officer)
    assert english.status_code == 404
    assert "<h1>Not found</h1>" in english.text
    assert f"No message {MISSING}" in english.text

    client.post("/language", data={"language": "fr", "next": "/"}, headers=officer)
    client.cookies.clear()
    french = client.get(f"/exchange/messages/{MISSING}", headers=officer)
    assert french.status_code == 404
    assert '<html lang="fr">' in french.text
    assert "<h1>Introuvable</h1>" in french.text
    assert f"Aucun message {MISSING}" in french.text
    assert "No message" not in french.text

    client.post("/language", data={"language": "hi", "next": "/"}, headers=officer)
    client.cookies.clear()
    hindi = client.get(f"/exchange/messages/{MISSING}", headers=officer)
    assert "<h1>नहीं मिला</h1>" in hindi.text
    assert f"कोई संदेश {MISSING} नहीं है" in hindi.text
