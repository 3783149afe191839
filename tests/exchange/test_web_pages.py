"""The exchange pages over HTTP (no browser): compose, thread forms, inbox, notifications.

Every bad input answers a page naming the field (422/403), never a 500; a policy block
shows its rule and citation and sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.kit.ids import new_id
from liaison.models import Case
from tests.exchange import payloads

Headers = Callable[[str], dict[str, str]]
HTML = {"Accept": "text/html"}


def _form(agencies: dict[str, str], **overrides: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "case_title": "Precursor shipment Mundra to Vancouver",
        "type": "request",
        "priority": "high",
        "from_agency_id": agencies["CA:RCMP"],
        "to_agency_id": agencies["IN:NCB"],
        "subject": "Exporter of 4-piperidone consignment",
        "body": "Please identify the exporter.",
        "tlp": "AMBER",
        "handling_code": "intelligence_only",
        "source_reliability": "B",
        "information_credibility": "2",
        "legal_basis": "police_cooperation",
        "legal_basis_reference": "Arrangement para 4",
        "purpose": "criminal investigation: precursor diversion",
        "offences": ["drug_trafficking"],
        "entity_kind": ["chemical", "shipment"],
        "entity_value": ["41661-47-6", "MSCU1234566"],
        "entity_detail": ["4-piperidone", ""],
        "action": "send",
    }
    form.update(overrides)
    return form


def _cases(seeded: sessionmaker[Session]) -> int:
    with unit_of_work(seeded) as db:
        return int(db.scalar(select(func.count()).select_from(Case)) or 0)


def test_compose_sends_then_thread_and_inbox_show_markings(
    client: TestClient, auth_headers: Headers, agencies: dict[str, str]
) -> None:
    headers = auth_headers("ca-officer") | HTML
    page = client.get("/exchange/compose", headers=headers)
    assert page.status_code == 200
    assert "NCB" in page.text
    sent = client.post(
        "/exchange/compose",
        data=_form(agencies),
        files={"attachment": ("note.txt", b"container seal numbers\n", "text/plain")},
        headers=headers,
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    thread = client.get(sent.headers["location"], headers=headers)
    assert thread.status_code == 200
    text = thread.text
    assert "Chemical: 4-piperidone (CAS 41661-47-6)" in text
    assert "TLP:AMBER" in text
    assert "Intelligence only" in text
    assert "source B, information 2" in text
    assert "note.txt" in text
    assert "/api/v1/exchange/attachments/" in text
    assert "never leaves this node" in text
    inbox = client.get("/exchange?q=4-piperidone", headers=headers)
    assert "Exporter of 4-piperidone consignment" in inbox.text
    assert "tlp tlp--amber" in inbox.text
    empty = client.get("/exchange?q=nothing-like-this", headers=headers)
    assert 'id="inbox-empty"' in empty.text


def test_invalid_cas_number_names_the_field_and_sends_nothing(
    client: TestClient, auth_headers: Headers, agencies: dict[str, str], seeded: Any
) -> None:
    headers = auth_headers("ca-officer") | HTML
    bad = _form(agencies, entity_value=["41661-47-5", "MSCU1234566"])
    answer = client.post("/exchange/compose", data=bad, headers=headers)
    assert answer.status_code == 422
    assert "Entity 1 (chemical), CAS number: is not a valid CAS number" in answer.text
    assert 'value="41661-47-5"' in answer.text  # what the user typed is kept
    assert _cases(seeded) == 0


def test_missing_markings_and_bad_filters_are_pages_not_errors(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    seeded: Any,
    settings: Settings,
) -> None:
    headers = auth_headers("ca-officer") | HTML
    answer = client.post(
        "/exchange/compose",
        data=_form(agencies, legal_basis="", purpose=""),
        files={"attachment": ("note.txt", b"seal numbers\n", "text/plain")},
        headers=headers,
    )
    assert answer.status_code == 422
    assert "Legal basis" in answer.text
    assert _cases(seeded) == 0
    assert not [p for p in (settings.data_dir / "blobs").rglob("*") if p.is_file()]
    blank = client.get("/exchange?q=&status=&priority=&kind=&due=true", headers=headers)
    assert blank.status_code == 200  # the filter form's "any" options
    assert client.get("/exchange?status=nonsense", headers=headers).status_code == 422
    assert client.get("/exchange?cursor=zzz", headers=headers).status_code == 422


def test_policy_block_shows_rule_and_citation_and_review_hold_is_said(
    client: TestClient, auth_headers: Headers, agencies: dict[str, str], seeded: Any
) -> None:
    headers = auth_headers("ca-officer") | HTML
    blocked = client.post(
        "/exchange/compose", data=_form(agencies, handling_code="evidence"), headers=headers
    )
    assert blocked.status_code == 403
    assert "joint.mlat.evidence_requires_mlat" in blocked.text
    assert "Mutual Legal Assistance in Criminal Matters (1994)" in blocked.text
    assert _cases(seeded) == 0
    checked = client.post(
        "/exchange/compose",
        data=_form(agencies, action="check", offences=["murder"]),
        headers=headers,
    )
    assert checked.status_code == 200
    assert "held for legal review" in checked.text
    held = client.post(
        "/exchange/compose",
        data=_form(agencies, offences=["murder"]),
        headers=headers,
        follow_redirects=True,
    )
    assert "Held for legal review" in held.text


def test_thread_forms_assign_note_reply_and_notifications(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    receive: Callable[[dict[str, Any]], None],
) -> None:
    request = payloads.inbound(agencies)
    receive(request)
    officer = auth_headers("ca-officer") | HTML
    case = f"/exchange/cases/{request['case_id']}"
    assert client.get(case, headers=officer).status_code == 200
    refused = client.post(
        f"{case}/reply",
        data={"message_id": request["id"], "type": "reply", "outcome": "refused", "body": "No."},
        headers=officer,
    )
    assert refused.status_code == 422
    assert "reason_code" in refused.text or "Reason" in refused.text
    assert client.post(f"{case}/notes", data={"text": ""}, headers=officer).status_code == 422
    done = client.post(
        f"{case}/notes",
        data={"text": "Call RCMP E Division"},
        headers=officer,
        follow_redirects=True,
    )
    assert "Call RCMP E Division" in done.text
    client.post(f"{case}/assign", data={"username": "ca-analyst"}, headers=officer)
    analyst = auth_headers("ca-analyst") | HTML
    notes = client.get("/notifications", headers=analyst)
    assert f"Case {request['case_reference']} assigned to you" in notes.text
    assert 'id="unread-count"' in notes.text
    client.post("/notifications/read-all", headers=analyst)
    assert 'id="unread-count"' not in client.get("/notifications", headers=analyst).text
    mine = client.get("/exchange?mine=true", headers=analyst)
    assert request["subject"] in mine.text
    assert client.get(f"/exchange/cases/{new_id()}", headers=analyst).status_code == 404


def test_overdue_request_is_marked_in_the_inbox(
    client: TestClient,
    auth_headers: Headers,
    agencies: dict[str, str],
    receive: Callable[[dict[str, Any]], None],
) -> None:
    received = datetime.now(UTC) - timedelta(days=2)
    clock.set_clock(lambda: received)
    request = payloads.inbound(agencies, priority="urgent")
    receive(request)
    clock.reset_clock()
    inbox = client.get("/exchange?due=true", headers=auth_headers("ca-officer") | HTML)
    assert f'data-message-id="{request["id"]}" data-due-state="overdue"' in inbox.text
    assert ">Overdue<" in inbox.text
