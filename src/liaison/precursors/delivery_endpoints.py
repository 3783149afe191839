"""Controlled-delivery plans under /api/v1/precursors/deliveries/{case_id}. Thin."""

from __future__ import annotations

from fastapi import APIRouter

from liaison.api.deps import DbDep, SettingsDep
from liaison.kit.inputs import IdPath
from liaison.precursors.deliveries import DeliveryService
from liaison.precursors.delivery_schemas import AuthoriseIn, PlanIn, PlanOut, StatusIn
from liaison.users.deps import CallerDep

router = APIRouter(prefix="/api/v1/precursors/deliveries", tags=["precursors"])


@router.get("/{case_id}", response_model=PlanOut)
def show_plan(case_id: IdPath, db: DbDep, caller: CallerDep, settings: SettingsDep) -> PlanOut:
    """The plan of a controlled-delivery case, its authorisations and timeline (404
    for anyone who may not read the case and all its messages)."""
    return DeliveryService(db, caller, settings).view(case_id)


@router.put("/{case_id}", response_model=PlanOut)
def save_plan(
    case_id: IdPath, data: PlanIn, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> PlanOut:
    """Draft or revise the plan (while proposed or authorised; a revision withdraws the
    authorisations given to the earlier plan). Sent to the peer and audited."""
    svc = DeliveryService(db, caller, settings)
    svc.save_plan(case_id, data)
    return svc.view(case_id)


@router.post("/{case_id}/authorise", response_model=PlanOut)
def authorise(
    case_id: IdPath, data: AuthoriseIn, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> PlanOut:
    """Record this node's party's authorisation (403 for the other party's)."""
    svc = DeliveryService(db, caller, settings)
    svc.authorise(case_id, data)
    return svc.view(case_id)


@router.post("/{case_id}/status", response_model=PlanOut)
def move(
    case_id: IdPath, data: StatusIn, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> PlanOut:
    """Move the delivery on: in transit (only once both parties have authorised),
    delivered, interdicted or aborted."""
    svc = DeliveryService(db, caller, settings)
    svc.move(case_id, data)
    return svc.view(case_id)
