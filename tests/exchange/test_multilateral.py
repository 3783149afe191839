"""A multilateral request (issue 19): Canada's officer asks India and the United States
at once. One case, one copy per recipient party, each decided by Canada's policy on
its own, each on its own clock (the United States' response times come from its
arrangement, policy/vocab.toml), each recipient seeing only its own copy. Three nodes
in this process (tests/support/trio.py), one clock for all."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from liaison.exchange.deadlines import escalate
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.models import Case, Message, Notification
from tests.exchange import payloads
from tests.exchange.payloads import T0
from tests.exchange.test_web_pages import HTML, _form
from tests.support.pair import AppNode
from tests.support.trio import agency_ids, exchange_all, three_nodes

CLAIMANT = {
    "kind": "person",
    "name": "Harjit Singh",
    "protection_status": "refugee_claimant",
    "feared_country": "IN",
}


@pytest.fixture
def now() -> Iterator[list[datetime]]:
    moment = [T0]
    clock.set_clock(lambda: moment[0])
    yield moment
    clock.reset_clock()


@pytest.fixture
def trio(
    url_factory: Callable[[], str], tmp_path: Path, now: list[datetime]
) -> Iterator[list[AppNode]]:
    with three_nodes(url_factory, tmp_path) as nodes:
        yield nodes


def _compose(canada: AppNode, **overrides: Any) -> Any:
    agencies = agency_ids(canada)
    defaults = {
        "case_title": "Fentanyl precursor pipeline India-Canada-United States",
        "to_agency_ids": [agencies["US:DEA"]],
        "priority": "urgent",
    }
    body = payloads.compose(agencies, **(defaults | overrides))
    return canada.client.post(
        "/api/v1/exchange/cases", json=body, headers=canada.headers("ca-officer")
    )


def _upload(canada: AppNode) -> str:
    upload = canada.client.post(
        "/api/v1/exchange/attachments",
        files={"file": ("manifest.txt", b"container MSCU1234566 manifest\n", "text/plain")},
        headers=canada.headers("ca-officer"),
    )
    assert upload.status_code == 201, upload.text
    return str(upload.json()["id"])


def _recipients(canada: AppNode, case_id: str) -> dict[str, dict[str, Any]]:
    case = canada.client.get(
        f"/api/v1/exchange/cases/{case_id}", headers=canada.headers("ca-officer")
    ).json()
    return {row["party"]: row for row in case["recipients"]}


def _received(node: AppNode, case_id: str) -> list[Message]:
    with unit_of_work(node.factory) as db:
        rows = db.scalars(select(Message).where(Message.case_id == case_id)).all()
        return list(rows)


def _answer(node: AppNode, username: str, message_id: str, body: str) -> None:
    answer = node.client.post(
        f"/api/v1/exchange/messages/{message_id}/reply",
        json={"body": body},
        headers=node.headers(username),
    )
    assert answer.status_code == 201, answer.text


def test_each_party_gets_its_own_copy_and_answers_on_its_own_clock(
    trio: list[AppNode], now: list[datetime]
) -> None:
    canada, india, us = trio
    sent = _compose(canada)
    assert sent.status_code == 201, sent.text
    case_id = sent.json()["case_id"]
    with unit_of_work(canada.factory) as db:
        case = db.get(Case, case_id)
        assert case is not None
        assert case.parties == ["CA", "IN", "US"]
    status = _recipients(canada, case_id)
    assert {p: r["state"] for p, r in status.items()} == {"IN": "pending", "US": "pending"}
    # urgent: 8 h under the node's own times (India), 24 h under the US arrangement
    assert status["IN"]["deadline_at"].startswith((T0 + timedelta(hours=8)).isoformat()[:19])
    assert status["US"]["deadline_at"].startswith((T0 + timedelta(hours=24)).isoformat()[:19])
    assert status["IN"]["message_id"] != status["US"]["message_id"]

    exchange_all(trio)
    [india_copy] = _received(india, case_id)
    [us_copy] = _received(us, case_id)
    assert (india_copy.to_party, us_copy.to_party) == ("IN", "US")
    assert india_copy.id == status["IN"]["message_id"]
    for node in (india, us):  # the co-recipient party is named in the header
        with unit_of_work(node.factory) as db:
            case = db.get(Case, case_id)
            assert case is not None
            assert case.parties == ["CA", "IN", "US"]

    now[0] = T0 + timedelta(hours=2)
    _answer(india, "in-officer", india_copy.id, "Exporter: Shree Chem Traders, Ankleshwar.")
    exchange_all(trio)
    now[0] = T0 + timedelta(hours=10)  # India's deadline passed, answered in time
    status = _recipients(canada, case_id)
    assert (status["IN"]["state"], status["IN"]["late"]) == ("answered", False)
    assert status["US"]["state"] == "pending"
    # The United States never sees India's answer.
    assert [m.direction for m in _received(us, case_id)] == ["in"]

    now[0] = T0 + timedelta(hours=30)
    assert _recipients(canada, case_id)["US"]["state"] == "overdue"
    assert _recipients(canada, case_id)["IN"]["state"] == "answered"
    with unit_of_work(canada.factory) as db:  # Canada's officers are told, once, for the US
        escalate(db, canada.settings)
        told = [s for s in db.scalars(select(Notification.subject)) if "Not answered" in s]
        assert escalate(db, canada.settings) == 0
    assert told
    assert all(subject.startswith("Not answered by US: ") for subject in told)
    _answer(us, "us-officer", us_copy.id, "Onward consignee: Pacific Freight LLC, Long Beach.")
    exchange_all(trio)
    status = _recipients(canada, case_id)
    assert (status["US"]["state"], status["US"]["late"]) == ("answered", True)
    replies = {m.from_party: m for m in _received(canada, case_id) if m.type == "reply"}
    assert replies["IN"].in_reply_to == status["IN"]["message_id"]
    assert replies["US"].in_reply_to == status["US"]["message_id"]


def test_one_party_blocked_by_the_senders_policy_while_the_other_goes(
    trio: list[AppNode],
) -> None:
    canada, india, us = trio
    upload = _upload(canada)
    # A refugee claimant who fears India: Canada's non-refoulement rule blocks India's
    # copy only; the United States' copy goes, with the attachment.
    sent = _compose(canada, entities=[payloads.PRECURSOR, CLAIMANT], attachment_ids=[upload])
    assert sent.status_code == 201, sent.text
    status = _recipients(canada, sent.json()["case_id"])
    assert status["IN"]["state"] == "blocked"
    assert status["IN"]["blocked_by"] == ["ca.non_refoulement"]
    assert status["US"]["state"] == "pending"
    case = canada.client.get(
        f"/api/v1/exchange/cases/{sent.json()['case_id']}", headers=canada.headers("ca-officer")
    ).json()
    attached = {m["to_party"]: [a["filename"] for a in m["attachments"]] for m in case["messages"]}
    assert attached == {"IN": [], "US": ["manifest.txt"]}
    exchange_all(trio)
    assert _received(india, sent.json()["case_id"]) == []
    assert len(_received(us, sent.json()["case_id"])) == 1


def test_a_copy_held_for_legal_review_does_not_hold_the_other(trio: list[AppNode]) -> None:
    canada, india, us = trio
    # A repeat NDPS offence can carry the death penalty in India, not in the US: the
    # Burns rule holds India's copy for an assurance.
    upload = _upload(canada)
    sent = _compose(canada, offences=["ndps_31a_repeat"], attachment_ids=[upload])
    assert sent.status_code == 201, sent.text
    status = _recipients(canada, sent.json()["case_id"])
    assert (status["IN"]["state"], status["US"]["state"]) == ("held_for_review", "pending")
    case = canada.client.get(
        f"/api/v1/exchange/cases/{sent.json()['case_id']}", headers=canada.headers("ca-officer")
    ).json()
    files = {
        m["to_party"]: [(a["filename"], a["sha256"]) for a in m["attachments"]]
        for m in case["messages"]
    }
    assert files["IN"] == files["US"]  # each copy carries the file (the same stored blob)
    assert [name for name, _ in files["US"]] == ["manifest.txt"]
    exchange_all(trio)
    assert _received(india, sent.json()["case_id"]) == []
    assert len(_received(us, sent.json()["case_id"])) == 1


def test_everything_blocked_refuses_the_compose(trio: list[AppNode]) -> None:
    canada, _, _ = trio
    claimant = CLAIMANT | {"protection_status": "protected_person", "feared_country": "US"}
    both = _compose(canada, entities=[CLAIMANT, claimant])
    assert both.status_code == 403, both.text
    assert "ca.non_refoulement" in both.text
    with unit_of_work(canada.factory) as db:
        assert db.scalars(select(Message)).all() == []


def test_tlp_red_names_recipients_at_each_party_or_is_refused(trio: list[AppNode]) -> None:
    canada, india, us = trio
    agencies = agency_ids(canada)
    only_india = payloads.markings(tlp="RED", named_recipients=[agencies["IN:NCB"]])
    refused = _compose(canada, markings=only_india)
    assert refused.status_code == 403, refused.text
    assert "joint.tlp.red_named_recipients" in refused.text
    with unit_of_work(canada.factory) as db:
        assert db.scalars(select(Message)).all() == []  # no copy left, not even India's
    both = payloads.markings(tlp="RED", named_recipients=[agencies["IN:NCB"], agencies["US:DEA"]])
    sent = _compose(canada, markings=both)
    assert sent.status_code == 201, sent.text
    exchange_all(trio)
    [india_copy] = _received(india, sent.json()["case_id"])
    [us_copy] = _received(us, sent.json()["case_id"])
    # each copy names its own party's recipient only, and no co-recipient party
    assert india_copy.named_recipients == [agencies["IN:NCB"]]
    assert us_copy.named_recipients == [agencies["US:DEA"]]
    with unit_of_work(us.factory) as db:
        case = db.get(Case, sent.json()["case_id"])
        assert case is not None
        assert case.parties == ["CA", "US"]


def test_two_agencies_of_one_party_are_refused(trio: list[AppNode]) -> None:
    canada, _, _ = trio
    agencies = agency_ids(canada)
    twice = _compose(canada, to_agency_ids=[agencies["IN:CBI"]])
    assert twice.status_code == 422, twice.text
    assert "one recipient agency per party: IN is named twice" in twice.text


def test_the_compose_page_sends_to_several_parties_and_the_case_page_shows_each(
    trio: list[AppNode],
) -> None:
    canada = trio[0]
    headers = canada.headers("ca-officer") | HTML
    page = canada.client.get("/exchange/compose", headers=headers)
    assert "Also to (a multilateral request)" in page.text
    agencies = agency_ids(canada)
    sent = canada.client.post(
        "/exchange/compose",
        data=_form(agencies, to_agency_ids=[agencies["US:DEA"]]),
        headers=headers,
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    thread = canada.client.get(sent.headers["location"], headers=headers)
    assert "Recipient parties" in thread.text
    assert 'data-party="IN" data-state="pending"' in thread.text
    assert 'data-party="US" data-state="pending"' in thread.text
