"""Controlled deliveries: the plan on a case of kind ``controlled_delivery``.

Both parties authorise (each records only its own); the status moves proposed ->
authorised (when both have) -> in transit -> delivered / interdicted, or aborted; each
change is a timeline entry, audited, and sent to the peer as ``precursors.delivery``
(delivery_outbound.py), where the same rules apply it again (delivery_federation.py).
The plan inherits the case's markings: only a caller who sees the case and all its
messages reads it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.exchange.repository import ExchangeRepository
from liaison.exchange.schemas import CaseKind
from liaison.kit import clock
from liaison.kit.errors import Conflict, Forbidden, ValidationFailed
from liaison.kit.i18n import Label, Text
from liaison.kit.ids import new_id
from liaison.kit.plugin import N_
from liaison.kit.repository import found
from liaison.kit.roles import Caller
from liaison.ledger.service import record
from liaison.models import (
    Agency,
    Case,
    ControlledDelivery,
    ControlledDeliveryEvent,
    Message,
    PrecursorSubstance,
)
from liaison.policy.schemas import Tlp
from liaison.precursors import register
from liaison.precursors.delivery_outbound import send_change
from liaison.precursors.delivery_schemas import (
    LEGAL_REFERENCES,
    MOVES,
    Authorisation,
    AuthoriseIn,
    DeliveryAction,
    DeliveryStatus,
    EventOut,
    EventWire,
    PlanIn,
    PlanOut,
    StatusIn,
)
from liaison.precursors.service import check_sender

OBJECT_TYPE = "precursors.delivery"
# the timeline's note on a revision (pages show it translated)
REVISED = N_("Revised: the authorisations given to the earlier plan are withdrawn.")


# rules, shared by this node's changes and the peer's ----------------------------------
def apply_plan(
    db: Session,
    case: Case,
    row: ControlledDelivery | None,
    data: PlanIn,
    substances: Mapping[str, PrecursorSubstance],
    actor: str,
    at: datetime,
) -> tuple[ControlledDelivery, str]:
    """Draft or revise the plan; a revision clears the authorisations given to the old
    one. Returns the plan and a note for the timeline. Flushes."""
    note = ""
    if row is None:
        row = ControlledDelivery(case_id=case.id, created_by=actor, created_at=at)
        db.add(row)
    elif DeliveryStatus(row.status) not in (DeliveryStatus.PROPOSED, DeliveryStatus.AUTHORISED):
        raise ValidationFailed.on_field(
            "status",
            Text(N_("the plan is %(status)s: it no longer changes"), status=_said(row.status)),
        )
    elif row.authorisations:
        note = REVISED
    substance = substances.get(data.substance_cas)
    row.consignments = [c.model_dump(exclude_none=True) for c in data.consignments]
    row.substance_cas = data.substance_cas
    row.substance_name = substance.name if substance is not None else data.substance_cas
    row.quantity = data.quantity
    row.unit = data.unit
    row.route = [leg.model_dump(mode="json") for leg in data.route]
    row.window_start = data.window_start
    row.window_end = data.window_end
    row.lead_agencies = dict(data.lead_agencies)
    row.authorisations = {}
    row.status = DeliveryStatus.PROPOSED.value
    row.updated_at = at
    db.flush()
    return row, note


def _said(status: str) -> Label:
    """A status in the middle of a sentence, in the reader's language."""
    return Label(status, inline=True)


def apply_authorisation(
    case: Case, row: ControlledDelivery, data: AuthoriseIn, recorded_by: str, at: datetime
) -> None:
    """Record ``data.party``'s authorisation; with both parties', the plan is authorised."""
    if data.party not in case.parties:
        raise ValidationFailed.on_field(
            "party", Text(N_("%(party)s is not a party to this case"), party=data.party)
        )
    if row.status != DeliveryStatus.PROPOSED.value:
        raise ValidationFailed.on_field(
            "party",
            Text(
                N_("the plan is %(status)s: authorisations are closed"),
                status=_said(row.status),
            ),
        )
    if data.party in row.authorisations:
        raise Conflict(Text(N_("%(party)s has already authorised this plan"), party=data.party))
    if not row.consignments or not row.route:
        raise ValidationFailed.on_field(
            "party", N_("the plan must name its consignments and route before it is authorised")
        )
    row.authorisations = row.authorisations | {
        data.party: {
            "authorised_by": data.authorised_by,
            "authorised_at": data.authorised_at.isoformat(),
            "legal_reference": data.legal_reference or LEGAL_REFERENCES.get(data.party, ""),
            "recorded_by": recorded_by,
        }
    }
    if not awaiting(case, row):
        row.status = DeliveryStatus.AUTHORISED.value
    row.updated_at = at


def apply_status(case: Case, row: ControlledDelivery, data: StatusIn, at: datetime) -> None:
    current = DeliveryStatus(row.status)
    if data.status is DeliveryStatus.IN_TRANSIT and awaiting(case, row):
        raise ValidationFailed.on_field(
            "status",
            Text(
                N_(
                    "the consignment cannot travel under watch before both parties have "
                    "authorised the delivery (waiting for %(parties)s)"
                ),
                parties=", ".join(awaiting(case, row)),
            ),
        )
    if data.status not in MOVES[current]:
        raise ValidationFailed.on_field(
            "status",
            Text(
                N_("a delivery that is %(current)s cannot become %(wanted)s"),
                current=_said(current.value),
                wanted=_said(data.status.value),
            ),
        )
    row.status = data.status.value
    row.updated_at = at


def awaiting(case: Case, row: ControlledDelivery) -> list[str]:
    """The parties to the case that have not authorised the plan."""
    return [party for party in sorted(case.parties) if party not in row.authorisations]


def plan_version(db: Session, case_id: str) -> str | None:
    """The id of the plan's latest drafting or revision: what an authorisation authorises."""
    query = (
        select(ControlledDeliveryEvent.id)
        .where(
            ControlledDeliveryEvent.case_id == case_id,
            ControlledDeliveryEvent.action == DeliveryAction.PLAN.value,
        )
        .order_by(ControlledDeliveryEvent.at.desc(), ControlledDeliveryEvent.id.desc())
        .limit(1)
    )
    return db.scalar(query)


def log_change(
    db: Session,
    row: ControlledDelivery,
    wire: EventWire,
    *,
    audit_actor: str,
) -> ControlledDeliveryEvent:
    """The timeline entry and the audit entry of one change (either node's). Flushes."""
    event = ControlledDeliveryEvent(
        id=wire.event_id,
        case_id=row.case_id,
        action=wire.action.value,
        party=wire.party,
        actor=wire.actor,
        status=row.status,
        note=wire.note,
        at=wire.at,
    )
    db.add(event)
    db.flush()
    record(
        db,
        actor=audit_actor,
        action=f"{OBJECT_TYPE}.{wire.action.value}",
        object_type=OBJECT_TYPE,
        object_id=row.case_id,
        detail={
            "event_id": event.id,
            "party": wire.party,
            "status": row.status,
            "by": wire.actor,
        },
    )
    return event


# this node's officers --------------------------------------------------------------
class DeliveryService:
    def __init__(self, db: Session, caller: Caller, settings: Settings) -> None:
        self.db = db
        self.caller = caller
        self.settings = settings
        self.cases = ExchangeRepository(db, caller)
        self.actor = f"user:{caller.username}"

    # reads (filtered in the query) ---------------------------------------------------
    def case(self, case_id: str) -> Case:
        query = select(Case).where(Case.id == case_id, self.cases.readable_case_clause())
        return found(self.db.scalar(query), f"case {case_id}")

    def plan(self, case_id: str) -> tuple[Case, ControlledDelivery]:
        query = (
            select(Case, ControlledDelivery)
            .join(ControlledDelivery, ControlledDelivery.case_id == Case.id)
            .where(Case.id == case_id, self.cases.readable_case_clause())
        )
        row = found(self.db.execute(query).first(), f"delivery plan of case {case_id}")
        case, plan = row
        return case, plan

    def timeline(self, case_id: str) -> list[ControlledDeliveryEvent]:
        query = (
            select(ControlledDeliveryEvent)
            .where(ControlledDeliveryEvent.case_id == case_id)
            .order_by(ControlledDeliveryEvent.at, ControlledDeliveryEvent.id)
        )
        return list(self.db.scalars(query))

    def view(self, case_id: str) -> PlanOut:
        case, row = self.plan(case_id)
        return PlanOut(
            case_id=case.id,
            case_reference=case.reference,
            consignments=row.consignments,
            substance_cas=row.substance_cas,
            substance_name=row.substance_name,
            quantity=row.quantity,
            unit=row.unit,
            route=row.route,
            window_start=row.window_start,
            window_end=row.window_end,
            lead_agencies=row.lead_agencies,
            authorisations=[
                Authorisation.model_validate({"party": party, **given})
                for party, given in sorted(row.authorisations.items())
            ],
            awaiting=awaiting(case, row),
            tlp=self._marking(case.id),
            status=row.status,
            created_by=row.created_by,
            created_at=row.created_at,
            updated_at=row.updated_at,
            timeline=[EventOut.model_validate(e) for e in self.timeline(case.id)],
        )

    def _marking(self, case_id: str) -> str:
        order = [t.value for t in Tlp]
        found = set(self.db.scalars(select(Message.tlp).where(Message.case_id == case_id)))
        return max(found, key=order.index, default=Tlp.AMBER.value)

    # changes -------------------------------------------------------------------------
    def save_plan(self, case_id: str, data: PlanIn) -> ControlledDeliveryEvent:
        check_sender(self.caller)
        case = self.case(case_id)
        if case.kind != CaseKind.CONTROLLED_DELIVERY.value:
            raise ValidationFailed.on_field(
                "case_id", N_("only a controlled-delivery case carries a plan")
            )
        substances = register.by_cas(self.db)
        errors = register.substance_errors(substances, data.substance_cas, data.unit)
        if errors:
            raise ValidationFailed(errors[0].message, errors=errors)
        self._check_lead_agencies(case, data)
        existing = self.db.get(ControlledDelivery, case.id)
        now = clock.now()
        row, note = apply_plan(self.db, case, existing, data, substances, self.actor, now)
        return self._changed(case, row, DeliveryAction.PLAN, now, note=note, plan=data)

    def _check_lead_agencies(self, case: Case, data: PlanIn) -> None:
        for party, agency_id in data.lead_agencies.items():
            agency = self.db.get(Agency, agency_id)
            if party not in case.parties:
                raise ValidationFailed.on_field(
                    "lead_agencies", Text(N_("%(party)s is not a party to this case"), party=party)
                )
            if agency is None or agency.party_code != party:
                raise ValidationFailed.on_field(
                    "lead_agencies",
                    Text(
                        N_("no agency %(agency)s of %(party)s in the directory"),
                        agency=agency_id,
                        party=party,
                    ),
                )

    def authorise(self, case_id: str, data: AuthoriseIn) -> ControlledDeliveryEvent:
        check_sender(self.caller)
        case, row = self.plan(case_id)
        if data.party != self.settings.party:
            raise Forbidden.on_field(
                "party",
                Text(
                    N_(
                        "each party records only its own authorisation: %(party)s's is "
                        "recorded on %(party)s's node"
                    ),
                    party=data.party,
                ),
            )
        now = clock.now()
        apply_authorisation(case, row, data, self.actor, now)
        return self._changed(case, row, DeliveryAction.AUTHORISE, now, authorisation=data)

    def move(self, case_id: str, data: StatusIn) -> ControlledDeliveryEvent:
        check_sender(self.caller)
        case, row = self.plan(case_id)
        now = clock.now()
        apply_status(case, row, data, now)
        return self._changed(
            case, row, DeliveryAction.STATUS, now, note=data.note, status=data.status
        )

    def _changed(
        self,
        case: Case,
        row: ControlledDelivery,
        action: DeliveryAction,
        at: datetime,
        *,
        note: str = "",
        plan: PlanIn | None = None,
        authorisation: AuthoriseIn | None = None,
        status: DeliveryStatus | None = None,
    ) -> ControlledDeliveryEvent:
        """Timeline, audit, and the change queued to the other parties of the case."""
        wire = EventWire(
            case_id=case.id,
            event_id=new_id(),
            action=action,
            party=self.settings.party,
            actor=self.actor,
            at=at,
            note=note,
            plan=plan,
            authorisation=authorisation,
            plan_version=plan_version(self.db, case.id) if authorisation else None,
            status=status,
        )
        event = log_change(self.db, row, wire, audit_actor=self.actor)
        case.updated_at = at
        send_change(self.db, self.settings, case, event, wire.model_dump(mode="json"))
        return event
