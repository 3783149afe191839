"""The controlled-delivery panel on a case page: an officer reports a controlled
delivery, opens its case, sees the kind and the pre-filled plan, is told beside the
field why the consignment cannot move yet or why an entry is wrong (with what they
typed kept), records Canada's authorisation, and the inbox marks the case's kind."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from tests.support.peering import pin_peer_with_agencies
from tests.support.web import HTML, sign_in

INCIDENT = {
    "kind": "controlled_delivery",
    "substance_cas": "41661-47-6",
    "quantity": "120",
    "unit": "kg",
    "diversion_method": "mislabelling",
    "location": "Port of Vancouver",
    "occurred_on": "2026-03-02",
    "description": "Container declared as dye intermediates; 4-piperidone confirmed.",
    "exporter": "Vapi Fine Chemicals Pvt Ltd",
    "consignee": "Pacific Freight Consolidators, Richmond BC",
    "container": "MSCU1234566",
    "vessel_imo": "9321483",
    "notice_id": "",
    "tlp": "AMBER",
}


def _field_error(page: str, field: str) -> str:
    """The error shown beside a field (its ``<id>-error`` element), as text."""
    found = re.search(rf'id="{field}-error"[^>]*>(.*?)</p>', page, re.S)
    assert found, f"no error beside {field}"
    return html.unescape(re.sub(r"<[^>]+>", "", found.group(1))).strip()


def test_an_officer_plans_and_authorises_a_controlled_delivery_on_the_case_page(
    client: TestClient, seeded: sessionmaker[Session]
) -> None:
    with unit_of_work(seeded) as db:
        pin_peer_with_agencies(db, "IN")
    token = sign_in(client, "ca-officer")
    reported = client.post(
        "/precursors/incidents",
        data=INCIDENT | {"csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert reported.status_code == 303, reported.text[:2000]
    opened = client.post(
        f"{reported.headers['location']}/case",
        data={"csrf_token": token, "join_case_id": "", "note": ""},
        headers=HTML,
        follow_redirects=False,
    )
    assert opened.status_code == 303, opened.text[:2000]
    case_url = opened.headers["location"]
    case_id = case_url.rsplit("/", 1)[-1]

    page = client.get(case_url, headers=HTML).text
    assert 'data-case-kind="controlled_delivery">Controlled delivery<' in page
    assert 'id="delivery-title"' in page
    assert "Container MSCU1234566" in page
    assert 'data-party="CA" class="muted">CA: not yet authorised' in page
    assert 'data-party="IN" class="muted">IN: not yet authorised' in page
    assert 'id="delivery-status"><span class="badge badge--proposed">Proposed<' in page

    base = f"/precursors/deliveries/{case_id}"
    no_token = client.post(f"{base}/status", data={"status": "in_transit"}, headers=HTML)
    assert no_token.status_code == 403

    early = client.post(
        f"{base}/status",
        data={"csrf_token": token, "status": "in_transit", "status_note": "Released at Delta"},
        headers=HTML,
    )
    assert early.status_code == 422
    assert "waiting for CA, IN" in _field_error(early.text, "status")
    assert 'value="Released at Delta"' in early.text

    route = "Nhava Sheva; sea\nPort of Vancouver; sea; CA\nRichmond BC; road"
    plan = {
        "csrf_token": token,
        "container": "MSCU1234566",
        "vessel_imo": "9321483",
        "air_waybill": "176-12345676",
        "bill_of_lading": "",
        "substance_cas": "41661-47-6",
        "quantity": "120",
        "unit": "kg",
        "route": route,
        "window_start": "2026-03-05",
        "window_end": "2026-03-20",
        "lead_own": "",
        "lead_peer": "",
    }
    wrong = client.post(f"{base}/plan", data=plan, headers=HTML)
    assert wrong.status_code == 422
    assert "check digit" in _field_error(wrong.text, "air_waybill")
    assert html.escape(route) in wrong.text or route in wrong.text
    saved = client.post(
        f"{base}/plan", data=plan | {"air_waybill": ""}, headers=HTML, follow_redirects=False
    )
    assert saved.status_code == 303, saved.text[:3000]

    missing = client.post(
        f"{base}/authorise",
        data={"csrf_token": token, "authorised_by": "", "authorised_at": "2026-03-04T09:30",
              "legal_reference": ""},
        headers=HTML,
    )  # fmt: skip
    assert missing.status_code == 422
    assert _field_error(missing.text, "authorised_by")
    assert 'value="2026-03-04T09:30"' in missing.text
    authorised = client.post(
        f"{base}/authorise",
        data={
            "csrf_token": token,
            "authorised_by": "Superintendent A. Grewal, RCMP Federal Policing Pacific",
            "authorised_at": "2026-03-04T09:30",
            "legal_reference": "",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert authorised.status_code == 303, authorised.text[:3000]
    page = client.get(case_url, headers=HTML).text
    assert "CA: authorised by Superintendent A. Grewal" in page
    assert "SOR/97-234" in page
    assert 'data-party="IN" class="muted">IN: not yet authorised' in page
    assert "Port of Vancouver (sea) · CA takes over" in page
    assert page.count('data-status="proposed"') == 3  # drafted, revised, authorised by CA

    inbox = client.get("/exchange", headers=HTML).text
    assert 'data-case-kind="controlled_delivery"' in inbox


def test_a_controlled_delivery_case_composed_by_hand_gets_its_plan_on_the_case_page(
    client: TestClient, seeded: sessionmaker[Session], agencies: dict[str, str]
) -> None:
    token = sign_in(client, "ca-officer")
    compose = {
        "csrf_token": token,
        "case_title": "Controlled delivery: air cargo of 1-boc-4-piperidone",
        "case_kind": "controlled_delivery",
        "type": "disclosure",
        "priority": "high",
        "from_agency_id": agencies["CA:RCMP"],
        "to_agency_id": agencies["IN:NCB"],
        "subject": "Air cargo under watch, Delhi to Toronto",
        "body": "Proposal for a controlled delivery of the consignment.",
        "tlp": "AMBER",
        "handling_code": "intelligence_only",
        "legal_basis": "police_cooperation",
        "purpose": "criminal investigation: precursor diversion",
        "offences": ["drug_trafficking"],
        "action": "send",
    }
    page = client.get("/exchange/compose", headers=HTML).text
    assert 'id="case_kind"' in page
    unknown = client.post("/exchange/compose", data=compose | {"case_kind": "joint"}, headers=HTML)
    assert unknown.status_code == 422
    assert _field_error(unknown.text, "case_kind")
    sent = client.post("/exchange/compose", data=compose, headers=HTML, follow_redirects=False)
    assert sent.status_code == 303, sent.text[:3000]
    case_url = sent.headers["location"].split("?")[0]
    page = client.get(case_url, headers=HTML).text
    assert 'data-case-kind="controlled_delivery"' in page
    assert 'id="delivery-empty"' in page
    case_id = case_url.rsplit("/", 1)[-1]
    drafted = client.post(
        f"/precursors/deliveries/{case_id}/plan",
        data={
            "csrf_token": token,
            "container": "",
            "vessel_imo": "",
            "air_waybill": "176-12345675",
            "bill_of_lading": "",
            "substance_cas": "79099-07-3",
            "quantity": "25",
            "unit": "kg",
            "route": "Delhi IGI Airport; air\nToronto Pearson; air; CA",
            "window_start": "2026-04-01",
            "window_end": "2026-04-03",
            "lead_own": agencies["CA:RCMP"],
            "lead_peer": agencies["IN:NCB"],
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert drafted.status_code == 303, drafted.text[:3000]
    page = client.get(case_url, headers=HTML).text
    assert "Air waybill 176-12345675" in page
    assert "CA: RCMP (CA); IN: NCB (IN)" in page
    assert "2026-04-01 \u2013 2026-04-03" in page  # an en dash
