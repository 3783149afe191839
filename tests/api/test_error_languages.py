"""The API's problem details in the client's language (issue 17): ``detail`` and
``errors[].message`` follow ``Accept-Language`` (English without it); ``code`` and
``title`` stay the same stable English values whatever the language."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

Headers = Callable[[str], dict[str, str]]
MISSING = "/api/v1/agencies/01900000-0000-7000-8000-000000000000"


def test_a_404_detail_is_french_with_accept_language_fr(
    client: TestClient, auth_headers: Headers
) -> None:
    officer = auth_headers("ca-officer")
    english = client.get(MISSING, headers=officer)
    french = client.get(MISSING, headers=officer | {"Accept-Language": "fr-CA,fr;q=0.9"})
    hindi = client.get(MISSING, headers=officer | {"Accept-Language": "hi-IN"})
    assert english.status_code == french.status_code == hindi.status_code == 404
    assert english.json()["detail"] == "no agency 01900000-0000-7000-8000-000000000000"
    assert english.headers["content-language"] == "en"
    assert french.json()["detail"] == "aucun organisme 01900000-0000-7000-8000-000000000000"
    assert french.headers["content-language"] == "fr"
    assert hindi.json()["detail"] == "कोई एजेंसी 01900000-0000-7000-8000-000000000000 नहीं है"
    for answer in (english, french, hindi):  # machine values do not move with the language
        assert answer.json()["code"] == "not_found"
        assert answer.json()["title"] == "Not found"
    # a language we do not have falls back to English
    german = client.get(MISSING, headers=officer | {"Accept-Language": "de-DE"})
    assert german.json()["detail"] == english.json()["detail"]


def test_a_422_names_each_field_in_the_clients_language(
    client: TestClient, auth_headers: Headers
) -> None:
    admin = auth_headers("ca-admin")
    body = {"name": "X", "acronym": "CBSA", "party_code": "CA", "mandate_areas": []}
    english = client.post("/api/v1/agencies", json=body, headers=admin)
    french = client.post("/api/v1/agencies", json=body, headers=admin | {"Accept-Language": "fr"})
    assert english.status_code == french.status_code == 422
    [said] = [e for e in english.json()["errors"] if e["field"] == "name"]
    [dit] = [e for e in french.json()["errors"] if e["field"] == "name"]
    assert said["message"] == "must be at least 2 characters"
    assert dit["message"] == "doit compter au moins 2 caractères"
    assert french.json()["detail"].startswith("name : doit compter au moins 2 caractères")
    assert french.json()["code"] == english.json()["code"] == "validation_failed"
    assert french.json()["title"] == "Validation failed"


def test_a_service_refusal_on_a_field_is_french_too(
    client: TestClient, auth_headers: Headers
) -> None:
    admin = auth_headers("ca-admin")
    body = {"name": "Fictional Agency", "acronym": "FICT", "party_code": "IN"}
    english = client.post("/api/v1/agencies", json=body, headers=admin)
    french = client.post("/api/v1/agencies", json=body, headers=admin | {"Accept-Language": "fr"})
    assert english.status_code == french.status_code == 422
    assert english.json()["detail"] == (
        "party_code: this node records agencies of CA only; other parties publish their own"
    )
    assert french.json()["detail"] == (
        "party_code : ce nœud n'inscrit que les organismes de CA; les autres parties "
        "publient les leurs"
    )
    [field] = french.json()["errors"]
    assert field == {
        "field": "party_code",
        "message": (
            "ce nœud n'inscrit que les organismes de CA; les autres parties publient les leurs"
        ),
    }
