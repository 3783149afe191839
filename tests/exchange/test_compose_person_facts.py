"""Facts about people travel with the people: the compose form and API carry a person's
protection status, feared country, mistreatment risk and activity basis, and the rules
fire on the real message (not only on the Check-a-draft page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.exchange.federation import wire
from liaison.kit.db import unit_of_work
from liaison.models import Message
from tests.exchange import payloads
from tests.exchange.test_web_pages import HTML, _form

Headers = Callable[[str], dict[str, str]]
CLAIMANT = {
    "kind": "person",
    "name": "Harjit Singh",
    "protection_status": "refugee_claimant",
    "feared_country": "IN",
}


def _person_row(**facts: str) -> dict[str, Any]:
    """The compose form with a third entity row: a person with the given facts."""
    columns = {"protection": "", "feared": "", "risk": "", "activity": "", "birthplace": ""}
    columns |= facts
    return {
        "entity_kind": ["chemical", "shipment", "person"],
        "entity_value": ["41661-47-6", "MSCU1234566", "Harjit Singh"],
        "entity_detail": ["4-piperidone", "", ""],
        **{f"entity_{name}": ["", "", value] for name, value in columns.items()},
    }


def test_refugee_claimant_disclosure_is_blocked_from_the_compose_api(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
    settings: Settings,
) -> None:
    body = payloads.compose(agencies, type="disclosure", entities=[CLAIMANT])
    answer = client.post("/api/v1/exchange/cases", json=body, headers=auth_headers("ca-officer"))
    assert answer.status_code == 403
    assert [r["rule_id"] for r in answer.json()["rules"]] == ["ca.non_refoulement"]
    safe = payloads.compose(
        agencies, type="disclosure", entities=[CLAIMANT | {"feared_country": "LK"}]
    )
    sent = client.post("/api/v1/exchange/cases", json=safe, headers=auth_headers("ca-officer"))
    assert sent.status_code == 201, sent.text
    with unit_of_work(seeded) as db:
        message = db.get(Message, sent.json()["id"])
        assert message is not None
        assert message.entities[0]["protection_status"] == "refugee_claimant"  # kept here
        travelling = wire(db, settings, message)["entities"][0]
    assert travelling["name"] == "Harjit Singh"
    assert not {"protection_status", "feared_country", "mistreatment_risk"} & set(travelling)


def test_refugee_claimant_disclosure_is_blocked_from_the_compose_form(
    client: TestClient, auth_headers: Headers, agencies: dict[str, str]
) -> None:
    headers = auth_headers("ca-officer") | HTML
    form = _form(agencies, type="disclosure") | _person_row(
        protection="refugee_claimant", feared="in"
    )
    blocked = client.post("/exchange/compose", data=form, headers=headers)
    assert blocked.status_code == 403
    assert "ca.non_refoulement" in blocked.text
    assert "IRPA s. 115" in blocked.text
    page = client.get("/exchange/compose", headers=headers)
    assert 'name="entity_protection"' in page.text
    assert "NDPS Act 1985, s. 31A" in page.text  # offences shown with their statutes


def test_person_facts_from_the_form_fire_mistreatment_and_advocacy_rules(
    client: TestClient, auth_headers: Headers, agencies: dict[str, str]
) -> None:
    headers = auth_headers("ca-officer") | HTML
    checked = client.post(
        "/exchange/compose",
        data=_form(agencies, action="check") | _person_row(risk="yes"),
        headers=headers,
    )
    assert checked.status_code == 200
    assert "ca.acmfea.mistreatment_review" in checked.text
    assert "Held for legal review</span>" in checked.text  # the badge says what happens
    advocacy = client.post(
        "/exchange/compose",
        data=_form(agencies, offences=["fraud"]) | _person_row(activity="protest"),
        headers=headers,
    )
    assert advocacy.status_code == 403
    assert "ca.scida.lawful_advocacy" in advocacy.text


def test_a_place_of_birth_from_the_form_travels_and_shows_on_the_case(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: sessionmaker[Session],
    settings: Settings,
) -> None:
    """Entity resolution tells apart people of one name by their place of birth: the
    officer can give it, in any script; it goes to the peer and the case page shows it."""
    headers = auth_headers("ca-officer") | HTML
    sent = client.post(
        "/exchange/compose",
        data=_form(agencies) | _person_row(birthplace="ਜਲੰਧਰ"),
        headers=headers,
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    case_page = client.get(sent.headers["location"], headers=headers)
    assert "Person: Harjit Singh, b. in ਜਲੰਧਰ" in case_page.text
    with unit_of_work(seeded) as db:
        message = db.query(Message).order_by(Message.created_at.desc()).first()
        assert message is not None
        assert message.entities[2]["place_of_birth"] == "ਜਲੰਧਰ"
        assert wire(db, settings, message)["entities"][2]["place_of_birth"] == "ਜਲੰਧਰ"


def test_a_feared_country_typed_as_a_name_is_refused_naming_the_row(
    client: TestClient, auth_headers: Headers, agencies: dict[str, str]
) -> None:
    headers = auth_headers("ca-officer") | HTML
    answer = client.post(
        "/exchange/compose",
        data=_form(agencies) | _person_row(protection="refugee_claimant", feared="India"),
        headers=headers,
    )
    assert answer.status_code == 422
    assert "Entity 3 (person), Feared country" in answer.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"offences": ["homicide"]}, "offences"),
        ({"originator_party": "India"}, "originator_party"),
    ],
)
def test_an_inbound_message_in_an_unknown_vocabulary_is_refused(
    receive: Callable[[dict[str, Any]], None],
    agencies: dict[str, str],
    change: dict[str, Any],
    field: str,
) -> None:
    """The peer's subject is validated like a compose (the inbox answers invalid_payload)."""
    payload = payloads.inbound(agencies, **change)
    with pytest.raises(ValidationError) as refused:
        receive(payload)
    assert field in str(refused.value)


def test_a_reply_naming_a_refugee_claimant_is_blocked(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    receive: Callable[[dict[str, Any]], None],
) -> None:
    """The facts of a person named in a reply are decided like a compose's."""
    request = payloads.inbound(agencies)
    receive(request)
    url = f"/api/v1/exchange/messages/{request['id']}/reply"
    headers = auth_headers("ca-officer")
    body = {"body": "The subscriber is Harjit Singh.", "entities": [CLAIMANT]}
    refused = client.post(url, json=body, headers=headers)
    assert refused.status_code == 403, refused.text
    assert [r["rule_id"] for r in refused.json()["rules"]] == ["ca.non_refoulement"]
    assert "IRPA s. 115" in refused.json()["rules"][0]["citation"]
    safe = body | {"entities": [CLAIMANT | {"feared_country": "LK"}]}
    assert client.post(url, json=safe, headers=headers).status_code == 201
