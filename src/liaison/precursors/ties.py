"""Ties to the exchange: a notification or an incident opens a case (or joins one) with
its entities pre-filled: exporter, importer, consignee, the chemical, container, vessel.

The exchange's own service composes and sends, so the message passes the exchange's
policy, legal review and audit exactly like any other.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.exchange.schemas import CaseKind, ComposeIn, MessageType, ReplyIn
from liaison.exchange.service import ExchangeService
from liaison.kit.errors import ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.models import Agency, Message, PrecursorIncident, PrecursorNotice
from liaison.precursors.schemas import CaseIn

OFFENCES = ["precursor_diversion"]


def entities(item: PrecursorNotice | PrecursorIncident, exporter_country: str) -> list[Any]:
    found: list[dict[str, Any]] = []
    if item.exporter:
        found.append({"kind": "organisation", "name": item.exporter, "country": exporter_country})
    if isinstance(item, PrecursorNotice):
        found.append(
            {"kind": "organisation", "name": item.importer, "country": item.importing_party}
        )
    if item.consignee:
        found.append({"kind": "organisation", "name": item.consignee, "note": "consignee"})
    found.append({"kind": "chemical", "name": item.substance_name, "cas": item.substance_cas})
    if item.container:
        found.append({"kind": "shipment", "container": item.container})
    if item.vessel_imo:
        found.append({"kind": "vessel", "imo": item.vessel_imo})
    return found


def default_peer_agency(db: Session, peer_party: str) -> str:
    """The peer's drugs agency (NCB, CBSA, ...), else its first agency."""
    rows = db.execute(
        select(Agency.id, Agency.mandate_areas)
        .where(Agency.party_code == peer_party)
        .order_by(Agency.acronym)
    ).all()
    if not rows:
        raise ValidationFailed.on_field(
            "to_agency_id",
            Text(N_("no agency of %(peer_party)s in the directory yet"), peer_party=peer_party),
        )
    drugs = [agency_id for agency_id, areas in rows if "drugs" in (areas or [])]
    return (drugs or [rows[0][0]])[0]


def _latest_message(db: Session, case_id: str) -> str:
    message_id = db.scalar(
        select(Message.id).where(Message.case_id == case_id).order_by(Message.id.desc()).limit(1)
    )
    if message_id is None:
        raise ValidationFailed.on_field(
            "join_case_id", Text(N_("no case %(case_id)s with messages"), case_id=case_id)
        )
    return message_id


def open_case(
    db: Session,
    caller: Caller,
    settings: Settings,
    item: PrecursorNotice | PrecursorIncident,
    data: CaseIn,
    *,
    title: str,
    body: str,
    peer_party: str,
    alert: bool = False,
    kind: CaseKind = CaseKind.STANDARD,
) -> str:
    """Open a case (or add to ``data.join_case_id``); returns the case id."""
    exchange = ExchangeService(db, caller, settings)
    own = settings.party
    exporter_country = (
        item.exporter_country or item.exporting_party if isinstance(item, PrecursorNotice) else own
    )
    items = entities(item, exporter_country)
    text = f"{data.note}\n\n{body}".strip()
    if data.join_case_id:
        reply = ReplyIn.model_validate(
            {"type": MessageType.FOLLOW_UP, "body": text, "entities": items, "subject": title}
        )
        return exchange.reply(_latest_message(db, data.join_case_id), reply).case_id
    legal_basis = item.legal_basis if isinstance(item, PrecursorNotice) else "police_cooperation"
    to_agency = data.to_agency_id or default_peer_agency(db, peer_party)
    compose = ComposeIn.model_validate(
        {
            "case_title": title,
            "case_summary": body[:5000],
            "case_kind": kind,
            "type": MessageType.ALERT if alert else MessageType.DISCLOSURE,
            "from_agency_id": data.from_agency_id or caller.agency_id,
            "to_agency_id": to_agency,
            "subject": title,
            "body": text,
            "entities": items,
            "offences": OFFENCES,
            "markings": {
                "tlp": item.tlp,
                "handling_code": getattr(item, "handling_code", "intelligence_only"),
                "legal_basis": legal_basis,
                "legal_basis_reference": getattr(item, "legal_basis_reference", ""),
                "purpose": "precursor diversion: prevent and investigate",
                # TLP:RED names its audience: the receiving agency alone
                "named_recipients": [to_agency] if item.tlp == "RED" else [],
            },
        }
    )
    return exchange.compose(compose).case_id
