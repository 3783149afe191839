"""Compose refused for a missing legal basis: the officer reads why beside the field, in
their language, with what they typed kept (issue 17)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.exchange.test_web_pages import _cases, _form

Headers = Callable[[str], dict[str, str]]
HTML = {"Accept": "text/html"}


def _speaks(client: TestClient, headers: dict[str, str], language: str) -> None:
    chosen = client.post(
        "/language", data={"language": language, "next": "/"}, headers=headers,
        follow_redirects=False,
    )  # fmt: skip
    assert chosen.status_code == 303
    client.cookies.clear()


def _beside(page: str, field: str) -> str:
    return page.split(f'id="{field}-error"', 1)[1].split("</p>", 1)[0]


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("fr", "Un fondement juridique est requis pour transmettre des renseignements"),
        ("hi", "सूचना भेजने के लिए विधिक आधार आवश्यक है"),
        ("en", "A legal basis is required to send information"),
    ],
)
def test_compose_without_a_legal_basis_says_why_in_the_officers_language(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
    language: str,
    said: str,
) -> None:
    officer = auth_headers("ca-officer") | HTML
    if language != "en":
        _speaks(client, officer, language)
    before = _cases(seeded)
    refused = client.post(
        "/exchange/compose", data=_form(agencies, legal_basis=""), headers=officer
    )
    assert refused.status_code == 422
    assert said in _beside(refused.text, "legal_basis")
    if language != "en":
        assert "legal basis is required" not in refused.text
    # what was typed is still there
    assert 'value="Exporter of 4-piperidone consignment"' in refused.text
    assert "Please identify the exporter.</textarea>" in refused.text
    assert 'value="41661-47-6"' in refused.text
    assert _cases(seeded) == before  # nothing was sent


def test_an_invalid_entity_is_named_in_french(
    client: TestClient, auth_headers: Headers, agencies: dict[str, str]
) -> None:
    officer = auth_headers("ca-officer") | HTML
    _speaks(client, officer, "fr")
    form = _form(
        agencies, entity_kind=["email"], entity_value=["not-an-address"], entity_detail=[""]
    )
    refused = client.post("/exchange/compose", data=form, headers=officer)
    assert refused.status_code == 422
    beside = _beside(refused.text, "entity-0")
    assert "Entité 1" in beside
    assert "Adresse courriel" in beside
    assert "adresse courriel" in beside.split(":", 1)[1]
    assert 'value="not-an-address"' in refused.text
