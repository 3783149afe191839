"""Alerts and incidents (PICS-like): suspicious orders and shipments, stopped shipments,
seizures with quantities and diversion methods, controlled deliveries. Recorded on this
node (audited); shared with the peer by opening or joining an exchange case."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.exchange.schemas import CaseKind
from liaison.kit.errors import ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.ledger.service import record
from liaison.models import Agency, Message, Peer, PrecursorIncident
from liaison.precursors import register, ties
from liaison.precursors.deliveries import DeliveryService
from liaison.precursors.delivery_schemas import PlanIn
from liaison.precursors.repository import PrecursorRepository
from liaison.precursors.schemas import CaseIn, IncidentIn, IncidentKind
from liaison.precursors.service import check_sender

PLANNED_WINDOW = timedelta(days=14)
LABELS = {
    IncidentKind.SUSPICIOUS_ORDER: "Suspicious order",
    IncidentKind.SUSPICIOUS_SHIPMENT: "Suspicious shipment",
    IncidentKind.STOPPED_SHIPMENT: "Stopped shipment",
    IncidentKind.SEIZURE: "Seizure",
    IncidentKind.CONTROLLED_DELIVERY: "Controlled delivery",
}


class IncidentService:
    def __init__(self, db: Session, caller: Caller, settings: Settings) -> None:
        self.db = db
        self.caller = caller
        self.settings = settings
        self.repo = PrecursorRepository(db, caller)
        self.actor = f"user:{caller.username}"

    def create(self, data: IncidentIn) -> PrecursorIncident:
        check_sender(self.caller)
        registry = register.by_cas(self.db)
        errors = register.substance_errors(registry, data.substance_cas, data.unit)
        if errors:
            raise ValidationFailed(errors[0].message, errors=errors)
        if data.notice_id:
            self.repo.notice(data.notice_id)  # 404 if not visible
        incident = PrecursorIncident(
            **data.model_dump(exclude={"tlp", "kind", "diversion_method"}),
            kind=data.kind.value,
            diversion_method=data.diversion_method.value,
            tlp=data.tlp.value,
            party=self.settings.party,
            substance_name=registry[data.substance_cas].name,
            created_by=self.actor,
        )
        self.db.add(incident)
        self.db.flush()
        record(
            self.db,
            actor=self.actor,
            action="precursors.incident.create",
            object_type="precursors.incident",
            object_id=incident.id,
            detail={"kind": incident.kind, "substance_cas": incident.substance_cas},
        )
        return incident

    def _peer_of(self, incident: PrecursorIncident, data: CaseIn) -> str:
        """The party the case goes to: the notice's other party, else the recipient
        agency's, else the only pinned peer (with several, the officer names the agency)."""
        if incident.notice_id:
            notice = self.repo.notice(incident.notice_id)
            return next(
                p
                for p in (notice.exporting_party, notice.importing_party)
                if p != self.settings.party
            )
        agency = self.db.get(Agency, data.to_agency_id) if data.to_agency_id else None
        if agency is not None and agency.party_code != self.settings.party:
            return agency.party_code
        peers = list(self.db.scalars(select(Peer.party_code).order_by(Peer.party_code)))
        if not peers:
            raise ValidationFailed.on_field("to_agency_id", N_("no peer is pinned on this node"))
        if len(peers) > 1:
            raise ValidationFailed.on_field(
                "to_agency_id",
                Text(
                    N_("this node has several peers (%(peers)s): name the agency"),
                    peers=", ".join(peers),
                ),
            )
        return peers[0]

    def _plan_of(self, incident: PrecursorIncident, case_id: str) -> PlanIn:
        """The plan as the incident sketches it: its consignment, substance and place,
        a two-week window from its date, and the two agencies of the case's first
        message as leads. Officers complete it on the case page."""
        first = self.db.execute(
            select(Message.from_party, Message.from_agency_id, Message.to_party,
                   Message.to_agency_id)
            .where(Message.case_id == case_id)
            .order_by(Message.id)
            .limit(1)
        ).one()  # fmt: skip
        consignment = {"container": incident.container, "vessel_imo": incident.vessel_imo}
        return PlanIn.model_validate(
            {
                "consignments": [consignment] if any(consignment.values()) else [],
                "substance_cas": incident.substance_cas,
                "quantity": incident.quantity,
                "unit": incident.unit,
                "route": [{"place": incident.location}] if len(incident.location) >= 2 else [],
                "window_start": incident.occurred_on,
                "window_end": incident.occurred_on + PLANNED_WINDOW,
                "lead_agencies": {first[0]: first[1], first[2]: first[3]},
            }
        )

    def incident_case(self, incident_id: str, data: CaseIn) -> str:
        check_sender(self.caller)
        incident = self.repo.incident(incident_id)
        label = LABELS[IncidentKind(incident.kind)]
        title = f"{label}: {incident.quantity:g} {incident.unit} of {incident.substance_name}"
        body = (
            f"{label} reported by {incident.party} on {incident.occurred_on.isoformat()}"
            f"{' at ' + incident.location if incident.location else ''}; diversion method: "
            f"{incident.diversion_method.replace('_', ' ')}.\n{incident.description}"
        )
        delivery = incident.kind == IncidentKind.CONTROLLED_DELIVERY
        case_id = ties.open_case(
            self.db,
            self.caller,
            self.settings,
            incident,
            data,
            title=title[:300],
            body=body,
            peer_party=self._peer_of(incident, data),
            alert=not delivery,
            kind=CaseKind.CONTROLLED_DELIVERY if delivery else CaseKind.STANDARD,
        )
        if delivery and not data.join_case_id:
            DeliveryService(self.db, self.caller, self.settings).save_plan(
                case_id, self._plan_of(incident, case_id)
            )
        incident.case_id = incident.case_id or case_id
        record(
            self.db,
            actor=self.actor,
            action="precursors.incident.case",
            object_type="precursors.incident",
            object_id=incident.id,
            detail={"case_id": case_id, "kind": incident.kind},
        )
        self.db.flush()
        return case_id
