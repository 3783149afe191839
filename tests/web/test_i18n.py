"""The web UI in English, French and Hindi: catalogues complete and in step with the
code, the language chosen by preference, then switcher cookie, then Accept-Language."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from liaison.web import catalogues, i18n

Headers = Callable[[str], dict[str, str]]
HTML = {"Accept": "text/html"}
# The language of a page does not depend on the database: PostgreSQL only, to save time.
postgresql_only = pytest.mark.parametrize("db_factory", ["postgresql"], indirect=True)


def test_every_message_id_is_translated_and_every_translation_used() -> None:
    """What CI checks: run ``uv run python tools/i18n.py update`` after changing a
    template, then translate the new ids in both catalogues."""
    assert list(catalogues.problems()) == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-CA,fr;q=0.9,en;q=0.8", "fr"),
        ("en-US,en;q=0.9,hi;q=0.8", "en"),
        ("de-DE,hi;q=0.7,fr;q=0.3", "hi"),
        ("hi-IN", "hi"),
        ("de, xx-;q=zz, fr;q=0", None),
        ("", None),
    ],
)
def test_browser_language_best_match(header: str, expected: str | None) -> None:
    assert i18n.best_match(header) == expected


@postgresql_only
def test_pages_speak_the_readers_language(client: TestClient, auth_headers: Headers) -> None:
    officer = auth_headers("ca-officer") | HTML
    english = client.get("/exchange", headers=officer).text
    assert '<html lang="en">' in english
    assert "<h1>Exchange inbox</h1>" in english

    # No saved preference: the browser's language is the first guess.
    french = client.get("/exchange", headers=officer | {"Accept-Language": "fr-CA,fr;q=0.9"})
    assert '<html lang="fr">' in french.text
    assert "<h1>Boîte de réception des échanges</h1>" in french.text
    assert "Fermer la session" in french.text
    assert "Sign out" not in french.text

    # The switcher keeps the choice as the reader's preference; it beats the browser's.
    switched = client.post(
        "/language", data={"language": "hi", "next": "/exchange?q=x"}, headers=officer,
        follow_redirects=False,
    )  # fmt: skip
    assert switched.status_code == 303
    assert switched.headers["location"] == "/exchange?q=x"
    client.cookies.clear()
    hindi = client.get("/exchange", headers=officer | {"Accept-Language": "fr"}).text
    assert '<html lang="hi">' in hindi
    assert "<h1>आदान-प्रदान इनबॉक्स</h1>" in hindi
    preferences = client.get("/preferences", headers=officer).text
    assert '<option value="hi" selected>' in preferences

    # A language we do not have is a clear 422, and the preference is left as it was.
    refused = client.post(
        "/language", data={"language": "de"}, headers=officer | {"Accept": "application/json"}
    )
    assert refused.status_code == 422
    assert "language" in refused.text
    assert '<html lang="hi">' in client.get("/exchange", headers=officer).text


@postgresql_only
def test_sign_in_page_follows_the_switcher_cookie(client: TestClient) -> None:
    assert '<h1 id="login-title">Sign in</h1>' in client.get("/login").text
    chosen = client.post("/language", data={"language": "fr", "next": "/login"},
                         follow_redirects=False)  # fmt: skip
    assert chosen.status_code == 303
    page = client.get("/login").text
    assert '<html lang="fr">' in page
    assert "Ouvrir une session" in page
    # …and so do its messages: a wrong password is said in French.
    wrong = client.post(
        "/login",
        data={
            "username": "ca-officer",
            "password": "not-the-password",
            "csrf_token": client.cookies.get("liaison_login_csrf") or "",
            "next": "/",
        },
    )
    assert wrong.status_code == 401
    assert "Nom d&#39;utilisateur ou mot de passe erroné." in wrong.text


@postgresql_only
def test_every_core_page_renders_in_each_language(
    client: TestClient, auth_headers: Headers
) -> None:
    """A translation that breaks a placeholder or a template shows up here as a 500."""
    admin = auth_headers("ca-admin") | HTML
    pages = (
        "/", "/exchange", "/exchange/compose", "/policy/reviews", "/policy/explain",
        "/policy/packs", "/policy/protected-persons", "/workplan/plan", "/workplan",
        "/workplan/proposals", "/workplan/versions", "/workplan/dialogue", "/audit", "/retention",
        "/directory/parties", "/directory/agencies", "/directory/officers",
        "/federation/peers", "/federation/messages", "/notifications", "/preferences",
        "/cyber", "/hitcheck", "/hitcheck/confirm", "/precursors", "/precursors/substances",
        "/precursors/notices", "/precursors/notices/new", "/precursors/incidents",
        "/precursors/import", "/networks",
    )  # fmt: skip
    # Each page once, the languages alternating (placeholders are checked in the catalogues).
    for index, path in enumerate(pages):
        language = ("fr", "hi")[index % 2]
        response = client.get(path, headers=admin | {"Accept-Language": language})
        assert response.status_code == 200, (language, path, response.text[-500:])
        assert f'<html lang="{language}">' in response.text, path


@postgresql_only
def test_the_pdf_report_is_in_the_readers_language_with_devanagari_glyphs(
    client: TestClient, auth_headers: Headers
) -> None:
    hindi = auth_headers("ca-officer") | {"Accept-Language": "hi"}
    html = client.get("/workplan/report?format=html", headers=hindi).text
    assert '<html lang="hi">' in html
    assert "संयुक्त प्रगति रिपोर्ट" in html
    pdf = client.get("/workplan/report?format=pdf", headers=hindi)
    assert pdf.status_code == 200
    # The Hindi words are drawn with a Devanagari font from Debian (fonts-noto-core).
    fonts = {
        str(font["/BaseFont"])
        for page in PdfReader(io.BytesIO(pdf.content)).pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("Devanagari" in name for name in fonts), fonts


@postgresql_only
def test_a_message_id_from_a_variable_is_escaped(client: TestClient, auth_headers: Headers) -> None:
    """Form errors are translated when shown, and stay escaped: they may quote input."""
    officer = auth_headers("ca-officer") | HTML | {"Accept-Language": "fr"}
    answer = client.post(
        "/preferences", data={"time_zone": "<i>Mars</i>", "language": "fr"}, headers=officer
    )
    assert answer.status_code == 422
    assert "&lt;i&gt;Mars&lt;/i&gt;" in answer.text
    assert "<i>Mars</i>" not in answer.text
