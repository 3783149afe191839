"""Controlled-delivery changes across the border: ``precursors.delivery``.

The receiver applies the sender's change with the same rules (delivery plans are in
step on both nodes), refuses what the sender may not do (authorise for another party,
move the consignment before both authorisations, change a plan on a case it does not
share), audits it and tells its liaison officers.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from liaison.exchange.schemas import CaseKind
from liaison.kit.i18n import Label, Text
from liaison.kit.plugin import N_, InboundContext, PayloadRefused
from liaison.kit.roles import Role
from liaison.models import Case, ControlledDelivery, ControlledDeliveryEvent
from liaison.notifications.service import notify_role
from liaison.precursors import register
from liaison.precursors.deliveries import (
    apply_authorisation,
    apply_plan,
    apply_status,
    log_change,
    plan_version,
)
from liaison.precursors.delivery_schemas import DeliveryAction, EventWire, StatusIn


def _case(db: Session, wire: EventWire, sender: str) -> Case:
    case = db.get(Case, wire.case_id)
    if case is None or sender not in case.parties:
        raise PayloadRefused("invalid_payload", f"no case {wire.case_id} shared with {sender}")
    if case.kind != CaseKind.CONTROLLED_DELIVERY.value:
        raise PayloadRefused(
            "invalid_payload", f"case {case.reference} is not a controlled-delivery case"
        )
    return case


def receive_change(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    wire = EventWire.model_validate(payload)
    sender = context.sender_party
    if db.get(ControlledDeliveryEvent, wire.event_id) is not None:
        return
    if wire.party != sender:
        raise PayloadRefused("policy_refused", f"{sender} sent a change made by {wire.party}")
    case = _case(db, wire, sender)
    row = db.get(ControlledDelivery, case.id)
    if wire.action is DeliveryAction.PLAN:
        assert wire.plan is not None
        substances = register.by_cas(db)
        row, _ = apply_plan(db, case, row, wire.plan, substances, wire.actor, wire.at)
    elif row is None:
        raise PayloadRefused("invalid_payload", f"no delivery plan on case {case.reference}")
    elif wire.action is DeliveryAction.AUTHORISE:
        assert wire.authorisation is not None
        if wire.authorisation.party != sender:
            raise PayloadRefused(
                "policy_refused",
                f"{sender} may record only its own authorisation, not {wire.authorisation.party}'s",
            )
        if wire.plan_version != plan_version(db, case.id):
            # the plan was revised meanwhile: the revision withdrew this authorisation
            # on the sender's node too, so both nodes agree once it arrives there
            raise PayloadRefused(
                "invalid_payload",
                f"{sender} authorised an earlier version of the plan of {case.reference}",
            )
        apply_authorisation(case, row, wire.authorisation, wire.actor, wire.at)
    else:
        assert wire.status is not None
        apply_status(case, row, StatusIn(status=wire.status, note=wire.note), wire.at)
    log_change(db, row, wire, audit_actor=f"node:{sender}")
    case.updated_at = wire.at
    notify_role(
        db,
        party_code=context.settings.party,
        roles=[Role.LIAISON_OFFICER],
        subject=Text(
            N_("Controlled delivery %(case)s: %(party)s made a change"),
            case=case.reference,
            party=sender,
        ),
        body=Text(N_("The plan is now %(status)s."), status=Label(row.status)),
        link=f"/exchange/cases/{case.id}#delivery",
    )
