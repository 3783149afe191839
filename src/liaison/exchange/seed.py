"""Demo cases: each node sends its own, over federation, once the nodes are peered.

Canada sends a request about a fentanyl-precursor shipment (RCMP to NCB), a request
about forged passports (IRCC to the Bureau of Immigration) and a disclosure about a
repeat heroin courier that its policy holds for legal review (NDPS Act s.31A can carry
the death penalty: an assurance must be recorded first); India sends a disclosure about
a cross-border fraud network (CBI to RCMP) and one sent in error, which it then asks
Canada to erase (Canada's signed deletion certificate comes back). With a third node (``liaison demo
--parties CA,IN,US``) the United States' DEA asks India and Canada about one
fentanyl-precursor pipeline. Idempotent: a case with the same
title is not sent twice. Nothing is sent before the peer is pinned and its agencies
have arrived (the demo calls this after peering).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.exchange.retention import OBJECT_TYPE as RETENTION_TYPE
from liaison.exchange.retention import PURGE_RULE
from liaison.exchange.schemas import ComposeIn
from liaison.exchange.service import ExchangeService
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.kit.roles import Caller, Role
from liaison.models import Agency, Case, Message, Peer, User
from liaison.retention.deletion import DeletionRequestIn, request_deletion

POLICE = {
    "legal_basis": "police_cooperation",
    "legal_basis_reference": "India-Canada liaison officer arrangement (Ottawa, 7 Feb 2026)",
}

POLICE_US = {
    "legal_basis": "police_cooperation",
    "legal_basis_reference": "DEA and FBI liaison attachés (police-to-police cooperation)",
}

ERASE_AFTER_SENDING = "erase_after_sending"  # the demo's deletion-request story
SPEC_ONLY = ("from", "to", "to_party", ERASE_AFTER_SENDING)

DEMO_CASES: dict[str, list[dict[str, Any]]] = {
    "CA": [
        {
            "case_title": "Fentanyl precursor shipment Nhava Sheva to Vancouver",
            "case_summary": "CBSA targeting flagged a 1-Boc-4-AP consignment declared as "
            "'pharmaceutical intermediate'.",
            "from": "RCMP",
            "to": "NCB",
            "to_party": "IN",
            "type": "request",
            "priority": "high",
            "subject": "Exporter and consignee of container MSCU1234566",
            "body": "Container MSCU1234566 (B/L MEDUIN4455667), 400 kg declared as a "
            "pharmaceutical intermediate, arriving Vancouver 2026-03-21. Please identify the "
            "exporter, any export authorisation and earlier shipments by the same exporter.",
            "entities": [
                {
                    "kind": "chemical",
                    "name": "tert-butyl 4-anilinopiperidine-1-carboxylate (1-Boc-4-AP)",
                    "cas": "125541-22-2",
                },
                {"kind": "shipment", "container": "MSCU1234566", "bill_of_lading": "MEDUIN4455667"},
            ],
            "offences": ["drug_trafficking"],
            "markings": {
                "tlp": "AMBER",
                "handling_code": "intelligence_only",
                "source_reliability": "B",
                "information_credibility": 2,
                "purpose": "criminal investigation: precursor diversion",
                **POLICE,
            },
        },
        {
            "case_title": "Forged Indian passports used in study-permit applications",
            "case_summary": "IRCC found 14 applications with passports from one number range.",
            "from": "IRCC",
            "to": "BoI",
            "to_party": "IN",
            "type": "request",
            "priority": "normal",
            "subject": "Verification of passport numbers used in study-permit applications",
            "body": "Please confirm whether the attached passport numbers were issued, and to "
            "whom. The applications share one education agent in Jalandhar.",
            "entities": [
                {
                    "kind": "person",
                    "name": "Harpreet Singh Gill",
                    "date_of_birth": "1999-04-12",
                    "nationality": "IN",
                    "documents": [{"type": "passport", "number": "Z1234567", "country": "IN"}],
                },
                {"kind": "organisation", "name": "Global Pathways Overseas Education"},
            ],
            "offences": ["immigration_document_fraud"],
            "markings": {
                "tlp": "AMBER",
                "handling_code": "intelligence_only",
                "source_reliability": "C",
                "information_credibility": 3,
                "purpose": "immigration enforcement: document fraud",
                **POLICE,
            },
        },
        {
            # Held at CA for legal review: NDPS Act s.31A can carry the death penalty.
            "case_title": "Repeat heroin courier travelling Toronto to Amritsar",
            "case_summary": "A courier convicted in India in 2019 is booked to fly again.",
            "from": "RCMP",
            "to": "NCB",
            "to_party": "IN",
            "type": "disclosure",
            "priority": "high",
            "subject": "Travel of a previously convicted heroin courier",
            "body": "The person below, convicted in Punjab in 2019 for heroin trafficking, is "
            "booked on the flight below; luggage checks at Toronto found traces of heroin.",
            "entities": [
                {
                    "kind": "person",
                    "name": "Gurpreet Sandhu",
                    "date_of_birth": "1988-11-02",
                    "nationality": "CA",
                },
                {"kind": "flight", "number": "AC42", "date": "2026-04-02"},
            ],
            "offences": ["drug_trafficking", "ndps_31a_repeat"],
            "markings": {
                "tlp": "AMBER",
                "handling_code": "intelligence_only",
                "source_reliability": "B",
                "information_credibility": 2,
                "purpose": "criminal investigation: heroin trafficking",
                **POLICE,
            },
        },
    ],
    "IN": [
        {
            "case_title": "Call-centre fraud network targeting Canadian seniors",
            "case_summary": "CBI searches in Pune found scripts and victim lists from Canada.",
            "from": "CBI",
            "to": "RCMP",
            "to_party": "CA",
            "type": "disclosure",
            "priority": "urgent",
            "subject": "Mule account and call-back numbers of a tech-support fraud network",
            "body": "Victims were told to call back on the numbers below; proceeds went to the "
            "account below before being converted to crypto.",
            "entities": [
                {"kind": "phone", "number": "+1 604 555 0199"},
                {"kind": "phone", "number": "+91 98765 43210"},
                {"kind": "bank_account", "iban": "GB82 WEST 1234 5698 7654 32"},
            ],
            "offences": ["fraud"],
            "markings": {
                "tlp": "AMBER",
                "handling_code": "evidence_with_consent",
                "source_reliability": "A",
                "information_credibility": 2,
                "purpose": "criminal investigation: fraud",
                **POLICE,
            },
        },
        {
            # Sent in error, then erased at CA on IN's request: a signed certificate returns.
            "case_title": "Disclosure sent in error: unrelated call-back number",
            "case_summary": "A number from another inquiry was disclosed by mistake.",
            "from": "CBI",
            "to": "RCMP",
            "to_party": "CA",
            "type": "disclosure",
            "priority": "low",
            "subject": "Additional call-back number (sent in error)",
            "body": "This number belongs to another inquiry and was disclosed by mistake.",
            "entities": [{"kind": "phone", "number": "+91 98111 22233"}],
            "offences": ["fraud"],
            "markings": {
                "tlp": "AMBER",
                "handling_code": "no_onward_disclosure",
                "purpose": "criminal investigation: fraud",
                **POLICE,
            },
            ERASE_AFTER_SENDING: "Disclosed in error: the number belongs to another inquiry.",
        },
    ],
    # The third party (``liaison demo --parties CA,IN,US``): the DEA asks both about one
    # fentanyl-precursor pipeline, India to Canada to the United States.
    "US": [
        {
            "case_title": "Fentanyl precursor pipeline India-Canada-United States (India)",
            "case_summary": "HSI and CBP traced pressed fentanyl seized in Detroit to "
            "precursors shipped from Nhava Sheva through Vancouver.",
            "from": "DEA",
            "to": "NCB",
            "to_party": "IN",
            "type": "request",
            "priority": "high",
            "subject": "Exporters of 1-Boc-4-AP consignments to Pacific Freight Consolidators",
            "body": "Fentanyl pills seized in Detroit on 2026-03-04 were pressed from 1-Boc-4-AP "
            "consigned to Pacific Freight Consolidators, Richmond BC. Please identify exporters "
            "in India who shipped the same chemical to that consignee since 2025.",
            "entities": [
                {
                    "kind": "chemical",
                    "name": "tert-butyl 4-anilinopiperidine-1-carboxylate (1-Boc-4-AP)",
                    "cas": "125541-22-2",
                },
                {"kind": "organisation", "name": "Pacific Freight Consolidators"},
            ],
            "offences": ["precursor_diversion"],
            "markings": {
                "tlp": "AMBER",
                "handling_code": "intelligence_only",
                "source_reliability": "B",
                "information_credibility": 2,
                "purpose": "criminal investigation: precursor diversion",
                **POLICE_US,
            },
        },
        {
            "case_title": "Fentanyl precursor pipeline India-Canada-United States (Canada)",
            "case_summary": "HSI and CBP traced pressed fentanyl seized in Detroit to "
            "precursors shipped from Nhava Sheva through Vancouver.",
            "from": "DEA",
            "to": "RCMP",
            "to_party": "CA",
            "type": "request",
            "priority": "high",
            "subject": "Onward movements of Pacific Freight Consolidators, Richmond BC",
            "body": "Fentanyl pills seized in Detroit on 2026-03-04 were pressed from 1-Boc-4-AP "
            "consigned to Pacific Freight Consolidators, Richmond BC. Please share its onward "
            "shipments to the United States and any link to the 4-AP seized at Vancouver.",
            "entities": [
                {
                    "kind": "chemical",
                    "name": "tert-butyl 4-anilinopiperidine-1-carboxylate (1-Boc-4-AP)",
                    "cas": "125541-22-2",
                },
                {"kind": "organisation", "name": "Pacific Freight Consolidators"},
            ],
            "offences": ["precursor_diversion"],
            "markings": {
                "tlp": "AMBER",
                "handling_code": "intelligence_only",
                "source_reliability": "B",
                "information_credibility": 2,
                "purpose": "criminal investigation: precursor diversion",
                **POLICE_US,
            },
        },
    ],
}


def seed_caller(db: Session, settings: Settings, role: Role) -> Caller | None:
    user = db.scalar(select(User).where(User.role == role.value, User.is_active.is_(True)))
    if user is None:
        return None
    return Caller(
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=role,
        agency_id=user.agency_id,
        party_code=settings.party,
    )


def seed_cases(db: Session, settings: Settings) -> int:
    """Send this node's demo cases (once). Returns how many were sent now."""
    sender = seed_caller(db, settings, Role.LIAISON_OFFICER)
    if sender is None:
        return 0
    agencies = {(a.party_code, a.acronym): a.id for a in db.scalars(select(Agency))}
    service = ExchangeService(db, sender, settings)
    sent = 0
    for spec in DEMO_CASES.get(settings.party, []):
        peer_party, to = spec["to_party"], (spec["to_party"], spec["to"])
        if db.get(Peer, peer_party) is None or to not in agencies:
            continue
        if db.scalar(select(Case.id).where(Case.title == spec["case_title"])) is not None:
            continue
        body = {k: v for k, v in spec.items() if k not in SPEC_ONLY}
        own = (settings.party, spec["from"])
        data = ComposeIn.model_validate(
            {**body, "from_agency_id": agencies[own], "to_agency_id": agencies[to]}
        )
        message = service.compose(data)
        sent += 1
        if ERASE_AFTER_SENDING in spec:
            _request_erasure(db, settings, message, peer_party, spec[ERASE_AFTER_SENDING])
    return sent


def _request_erasure(
    db: Session, settings: Settings, message: Message, peer_party: str, reason: str
) -> None:
    """Queued behind the message itself, so the peer holds it when the request arrives."""
    records_officer = seed_caller(db, settings, Role.ADMIN)
    if records_officer is None:
        return
    request = DeletionRequestIn(
        peer_party=peer_party, object_type=RETENTION_TYPE, object_id=message.id, reason=reason
    )
    own_rules = {PURGE_RULE.object_type: PURGE_RULE}
    request_deletion(db, settings, own_rules, records_officer, request)


THIRD_PARTY_STORY = {
    "CA,IN,US": "\nUS (DEA) asked IN (NCB) and CA (RCMP) about one fentanyl-precursor "
    "pipeline: each request is in the other party's inbox (in-officer, ca-officer: Exchange)",
}


def seed_peered_nodes(nodes: list[Settings]) -> str:
    """For the demo, after peering: each node sends its demo cases. One line of account."""
    counts = []
    for node in nodes:
        engine = make_engine(node.effective_database_url)
        try:
            with unit_of_work(make_session_factory(engine)) as db:
                counts.append(f"{node.party} sent {seed_cases(db, node)}")
        finally:
            engine.dispose()
    return (
        "demo exchange cases: " + ", ".join(counts) + " (see Exchange on each node)\n"
        "CA's disclosure on a repeat heroin courier is held for legal review until a "
        "death-penalty assurance is recorded (ca-legal: Policy); IN asked CA "
        "to erase a disclosure sent in error and holds CA's signed deletion certificate "
        "(in-admin: Audit → Retention and deletion)"
        + THIRD_PARTY_STORY.get(",".join(sorted(node.party for node in nodes)), "")
    )
