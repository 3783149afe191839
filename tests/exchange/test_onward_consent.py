"""Onward disclosure to a third party goes through the originator's consent (issue 19):
India holds Canada's request and would pass it on to the United States. The forward
waits (nothing leaves) while Canada is asked; Canada's refusal withdraws it, its
consent releases it. Other restrictions (no_onward_disclosure) refuse outright.
Three nodes in this process (tests/support/trio.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from liaison.kit.db import unit_of_work
from liaison.models import Agency, Message, Notification, Party, User
from tests.exchange import payloads
from tests.support.pair import AppNode
from tests.support.trio import agency_ids, exchange_all, three_nodes
from tests.support.web import CSRF, HTML, sign_in


@pytest.fixture
def trio(url_factory: Callable[[], str], tmp_path: Path) -> Iterator[list[AppNode]]:
    with three_nodes(url_factory, tmp_path) as nodes:
        yield nodes


def _request_to_india(trio: list[AppNode], **markings: Any) -> str:
    canada = trio[0]
    body = payloads.compose(agency_ids(canada), markings=payloads.markings(**markings))
    sent = canada.client.post(
        "/api/v1/exchange/cases", json=body, headers=canada.headers("ca-officer")
    )
    assert sent.status_code == 201, sent.text
    exchange_all(trio)
    return str(sent.json()["id"])


def _forward_to_us(india: AppNode, message_id: str) -> Any:
    return india.client.post(
        f"/api/v1/exchange/messages/{message_id}/forward",
        json={"to_agency_id": agency_ids(india)["US:DEA"], "note": "Onward leg: Long Beach."},
        headers=india.headers("in-officer"),
    )


def _consents(node: AppNode, username: str) -> list[dict[str, Any]]:
    answer = node.client.get("/api/v1/exchange/consents", headers=node.headers(username))
    assert answer.status_code == 200, answer.text
    return list(answer.json())


def _us_messages(us: AppNode) -> list[Message]:
    with unit_of_work(us.factory) as db:
        return list(db.scalars(select(Message)))


def _answer(canada: AppNode, consent_id: str, grant: bool) -> None:
    answered = canada.client.post(
        f"/api/v1/exchange/consents/{consent_id}/answer",
        json={"grant": grant, "reason": "" if grant else "ongoing investigation"},
        headers=canada.headers("ca-officer"),
    )
    assert answered.status_code == 200, answered.text


def _forward_status(india: AppNode, forward_id: str) -> str:
    shown = india.client.get(
        f"/api/v1/exchange/messages/{forward_id}", headers=india.headers("in-officer")
    )
    return str(shown.json()["status"])


def _asked_of_canada(trio: list[AppNode]) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Canada's request reaches India, India forwards it to the DEA: (the request's id,
    India's held forward, the consent request as Canada lists it)."""
    request_id = _request_to_india(trio)
    held = _forward_to_us(trio[1], request_id)
    assert held.status_code == 201, held.text
    exchange_all(trio)
    [asked] = _consents(trio[0], "ca-officer")
    return request_id, held.json(), asked


def test_a_forward_to_a_third_party_waits_for_the_originator_who_refuses(
    trio: list[AppNode],
) -> None:
    canada, india, us = trio
    with unit_of_work(india.factory) as db:  # India's officer reads French
        db.scalars(select(User).where(User.username == "in-officer")).one().language = "fr"
    request_id = _request_to_india(trio)
    held = _forward_to_us(india, request_id)
    assert held.status_code == 201, held.text
    assert held.json()["status"] == "awaiting_consent"
    again = _forward_to_us(india, request_id)
    assert again.status_code == 409, again.text
    exchange_all(trio)
    assert _us_messages(us) == []  # nothing left India
    [asked] = _consents(canada, "ca-officer")
    assert (asked["side"], asked["status"], asked["holder_party"]) == ("asked_of", "pending", "IN")
    assert (asked["message_id"], asked["onward_agency"]) == (request_id, "DEA (US)")
    assert asked["note"] == "Onward leg: Long Beach."
    _answer(canada, asked["id"], grant=False)
    exchange_all(trio)
    assert _forward_status(india, held.json()["id"]) == "withdrawn"
    [mine] = _consents(india, "in-officer")
    assert (mine["side"], mine["status"], mine["reason"]) == (
        "asked",
        "refused",
        "ongoing investigation",
    )
    assert _us_messages(us) == []
    with unit_of_work(india.factory) as db:
        subjects = list(db.scalars(select(Notification.subject)))
    assert "CA a répondu : refusé, transmission à DEA (US)" in subjects


def test_the_originators_consent_releases_the_forward(trio: list[AppNode]) -> None:
    canada, india, us = trio
    request_id, held, asked = _asked_of_canada(trio)
    _answer(canada, asked["id"], grant=True)
    exchange_all(trio)
    assert _forward_status(india, held["id"]) in ("sent", "delivered")
    [arrived] = _us_messages(us)
    assert arrived.subject.startswith("Fwd: ")
    assert (arrived.from_party, arrived.originator_party) == ("IN", "CA")
    # consent on record: a second forward there goes without asking again
    again = _forward_to_us(india, request_id)
    assert again.status_code == 201, again.text
    assert again.json()["status"] in ("sent", "queued")
    assert len(_consents(canada, "ca-officer")) == 1
    # the US holds a copy passed on by India: it cannot ask Canada (Canada never sent it
    # to the US), so passing it on to a fourth party is refused at once, naming the rule
    with unit_of_work(us.factory) as db:  # a fourth party, as its directory would arrive
        db.add(Party(code="GB", name="United Kingdom"))
        db.flush()
        nca = Agency(party_code="GB", name="National Crime Agency", acronym="NCA")
        db.add(nca)
        db.flush()
        nca_id = nca.id
    onward = us.client.post(
        f"/api/v1/exchange/messages/{arrived.id}/forward",
        json={"to_agency_id": nca_id, "note": "To the NCA."},
        headers=us.headers("us-officer"),
    )
    assert onward.status_code == 403, onward.text
    assert "joint.onward_disclosure.consent" in onward.text
    assert _consents(us, "us-officer") == []


def test_no_onward_disclosure_is_refused_without_asking(trio: list[AppNode]) -> None:
    canada, india, _ = trio
    request_id = _request_to_india(trio, handling_code="no_onward_disclosure")
    refused = _forward_to_us(india, request_id)
    assert refused.status_code == 403, refused.text
    assert "joint.handling.no_onward_disclosure" in refused.text
    exchange_all(trio)
    assert _consents(canada, "ca-officer") == []


def test_only_officers_answer_consent_requests(trio: list[AppNode]) -> None:
    canada, _, _ = trio
    listed = canada.client.get("/api/v1/exchange/consents", headers=canada.headers("ca-analyst"))
    assert listed.status_code == 403, listed.text
    unknown = canada.client.post(
        "/api/v1/exchange/consents/0190a1b2-0000-7000-8000-000000000000/answer",
        json={"grant": True},
        headers=canada.headers("ca-officer"),
    )
    assert unknown.status_code == 404, unknown.text


def test_the_originators_officer_answers_on_the_case_page(trio: list[AppNode]) -> None:
    canada, india, us = trio
    request_id, held, asked = _asked_of_canada(trio)
    case_page = f"/exchange/cases/{asked['case_id']}"
    # India's case page says what it waits for; Canada's legal reviewer sees the request, no form
    sign_in(india.client, "in-officer")
    waiting = india.client.get(f"/exchange/cases/{held['case_id']}", headers=HTML).text
    assert "needs the consent of CA" in waiting
    assert "Awaiting consent" in waiting
    sign_in(canada.client, "ca-legal")
    seen = canada.client.get(case_page, headers=HTML).text
    assert "IN asks to pass this information on to DEA (US)." in seen
    assert "Grant consent" not in seen
    refused = canada.client.post(
        f"{case_page}/consents/{asked['id']}",
        data={"csrf_token": CSRF.findall(seen)[0], "decision": "grant"},
        headers=HTML,
        follow_redirects=False,
    )
    assert refused.status_code == 403
    # the officer: a missing decision is refused beside the form, then granted
    canada.client.cookies.clear()
    token = sign_in(canada.client, "ca-officer", case_page)
    form = canada.client.get(case_page, headers=HTML).text
    assert "Grant consent" in form
    assert f'<a href="#message-{request_id}">Consignee and exporter of container' in form
    assert "Onward leg: Long Beach." in form
    target = f"{case_page}/consents/{asked['id']}"
    undecided = canada.client.post(
        target, data={"csrf_token": token, "reason": "fine"}, headers=HTML
    )
    assert undecided.status_code == 422
    assert "grant or refuse the request" in undecided.text
    granted = canada.client.post(
        target,
        data={"csrf_token": token, "decision": "grant", "reason": "for the Long Beach leg"},
        headers=HTML,
        follow_redirects=False,
    )
    assert granted.status_code == 303, granted.text
    exchange_all(trio)
    [arrived] = _us_messages(us)
    assert arrived.originator_party == "CA"
    after = canada.client.get(case_page, headers=HTML).text
    assert "Granted" in after
    assert "for the Long Beach leg" in after
    assert "Grant consent" not in after
