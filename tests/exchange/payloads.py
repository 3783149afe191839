"""Realistic message bodies shared by the exchange tests (entity JSON in one place)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from liaison.kit.ids import new_id

T0 = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)  # the tests' clock starts here (fixture ``at``)
SMALL_ATTACHMENT_LIMIT = 64 * 1024  # the test node's attachment limit

PRECURSOR = {"kind": "chemical", "name": "1-Boc-4-AP", "cas": "125541-22-2"}
CONTAINER = {"kind": "shipment", "container": "MSCU1234566", "bill_of_lading": "MEDUIN4455667"}
PHONE_IN = {"kind": "phone", "number": "+91 98765 43210"}
IBAN = {"kind": "bank_account", "iban": "GB82 WEST 1234 5698 7654 32"}


def markings(**overrides: Any) -> dict[str, Any]:
    return {
        "tlp": "AMBER",
        "handling_code": "intelligence_only",
        "source_reliability": "B",
        "information_credibility": 2,
        "legal_basis": "police_cooperation",
        "legal_basis_reference": "Canada-India police cooperation arrangement, para 4",
        "purpose": "criminal investigation: precursor diversion",
        **overrides,
    }


def compose(agencies: dict[str, str], **overrides: Any) -> dict[str, Any]:
    body = {
        "case_title": "Precursor shipment Mundra to Vancouver",
        "case_summary": "Suspected diversion of a fentanyl precursor",
        "type": "request",
        "from_agency_id": agencies["CA:RCMP"],
        "to_agency_id": agencies["IN:NCB"],
        "priority": "high",
        "subject": "Consignee and exporter of container MSCU1234566",
        "body": "Please identify the exporter and the consignee of the shipment.",
        "entities": [PRECURSOR, CONTAINER],
        "offences": ["drug_trafficking"],
        "markings": markings(),
    }
    body.update(overrides)
    return body


def inbound(agencies: dict[str, str], **overrides: Any) -> dict[str, Any]:
    """An ``exchange.message`` payload as India's node sends it to Canada."""
    case_id = new_id()
    payload = {
        "case_id": case_id,
        "case_reference": f"IN-2026-{int(case_id[-6:], 16) % 1_000_000:06d}",
        "case_title": "Fraud network: call centre in Pune",
        "case_summary": "",
        "case_origin_party": "IN",
        "id": new_id(),
        "type": "request",
        "in_reply_to": None,
        "from_agency_id": agencies["IN:CBI"],
        "to_agency_id": agencies["CA:RCMP"],
        "originator_party": "IN",
        "priority": "urgent",
        "subject": "Subscriber of +1 604 555 0199",
        "body": "Please identify the subscriber and the account holder.",
        "entities": [PHONE_IN, IBAN],
        "offences": ["fraud"],
        "markings": markings(),
        "sent_at": datetime.now(UTC).isoformat(),
        "attachments": [],
    }
    payload.update(overrides)
    return payload
