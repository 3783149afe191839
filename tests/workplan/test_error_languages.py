"""A refused workplan proposal speaks the officer's language beside the field it concerns,
and keeps everything typed (issue 17)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.workplan.india import India, Outbox

Headers = Callable[[str], dict[str, str]]
HTML = {"accept": "text/html"}
FORM = {
    "base_version": "1",
    "area": "cyber",
    "description": "Exercise the indicator-sharing channel",
    "lead_CA": "CCCS",
    "lead_IN": "CERT-In",
    "milestone_title": "Tabletop exercise",
    "milestone_due": "2027-05-01",  # after the plan period
}


def _speaks(client: TestClient, headers: dict[str, str], language: str) -> None:
    """The officer saves ``language`` as their preference (the switcher)."""
    chosen = client.post(
        "/language", data={"language": language, "next": "/"}, headers=headers,
        follow_redirects=False,
    )  # fmt: skip
    assert chosen.status_code == 303
    client.cookies.clear()  # the preference, not the switcher's cookie, decides


def _beside(page: str, field: str) -> str:
    return page.split(f'id="{field}-error"', 1)[1].split("</p>", 1)[0]


def _kept(page: str) -> None:
    assert ">Exercise the indicator-sharing channel</textarea>" in page
    assert 'value="Tabletop exercise"' in page
    assert 'value="2027-05-01" aria-invalid="true"' in page
    assert '<option value="CERT-In" selected>' in page


def test_a_french_officer_reads_the_milestone_refusal_in_french(
    client: TestClient, auth_headers: Headers, india: India, outbox: Outbox
) -> None:
    officer = auth_headers("ca-officer") | HTML
    _speaks(client, officer, "fr")
    refused = client.post("/workplan/proposals", data=FORM, headers=officer)
    assert refused.status_code == 422
    beside = _beside(refused.text, "milestone_due")
    assert "2027-05-01 est en dehors de la période du plan, du" in beside
    assert "outside the plan period" not in refused.text
    _kept(refused.text)
    assert outbox("workplan.proposal") == []


def test_a_hindi_speaking_officer_reads_them_in_hindi(
    client: TestClient, auth_headers: Headers, india: India, outbox: Outbox
) -> None:
    officer = auth_headers("ca-officer") | HTML
    _speaks(client, officer, "hi")
    refused = client.post("/workplan/proposals", data=FORM, headers=officer)
    assert refused.status_code == 422
    assert "2027-05-01 योजना अवधि" in _beside(refused.text, "milestone_due")
    assert "के बाहर है" in _beside(refused.text, "milestone_due")
    _kept(refused.text)
    # pydantic's own refusal (an empty action) comes from the one table, in Hindi too
    empty = client.post("/workplan/proposals", data=FORM | {"description": ""}, headers=officer)
    assert empty.status_code == 422
    assert "यह फ़ील्ड आवश्यक है" in _beside(empty.text, "description")
    assert "required" not in _beside(empty.text, "description")
    assert outbox("workplan.proposal") == []


def test_an_officer_who_chose_english_still_reads_english(
    client: TestClient, auth_headers: Headers, india: India
) -> None:
    officer = auth_headers("ca-officer") | HTML
    refused = client.post("/workplan/proposals", data=FORM, headers=officer)
    assert refused.status_code == 422
    assert "2027-05-01 is outside the plan period" in _beside(refused.text, "milestone_due")
