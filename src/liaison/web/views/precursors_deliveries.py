"""Controlled-delivery form posts from a case page: save the plan, authorise for this
node's party, move the status. A refused form shows the case page again with the
error beside the field and the text as typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from liaison.api.deps import DbDep, SettingsDep
from liaison.config import Settings
from liaison.kit.errors import NotFound
from liaison.kit.inputs import IdPath
from liaison.kit.roles import Caller
from liaison.models import ControlledDeliveryEvent
from liaison.precursors.deliveries import DeliveryService
from liaison.precursors.delivery_schemas import AuthoriseIn, Consignment, PlanIn, StatusIn
from liaison.web import times
from liaison.web.views.common import CsrfFormDep, PageCallerDep
from liaison.web.views.delivery_panel import CONSIGNMENT_FIELDS
from liaison.web.views.exchange import thread_response
from liaison.web.views.forms import FormValues, read_values, submit

router = APIRouter(prefix="/precursors/deliveries", include_in_schema=False)
PLAN_FIELDS = (
    *CONSIGNMENT_FIELDS, "substance_cas", "quantity", "unit", "route", "window_start",
    "window_end", "lead_own", "lead_peer",
)  # fmt: skip


def _after(case_id: str, change: ControlledDeliveryEvent) -> str:
    """The case page at the panel; the change's id makes it a new address, so htmx's
    redirect reloads the page rather than only scrolling to the panel."""
    return f"/exchange/cases/{case_id}?changed={change.id}#delivery"


def _route(text: str) -> list[dict[str, str]]:
    legs = []
    for line in text.splitlines():
        parts = [part.strip() for part in line.split(";")]
        if not parts[0]:
            continue
        leg = {"place": parts[0], "mode": parts[1] if len(parts) > 1 else ""}
        if len(parts) > 2 and parts[2]:
            leg["handover_to"] = parts[2]
        legs.append(leg)
    return legs


def _plan(svc: DeliveryService, case_id: str, values: FormValues) -> PlanIn:
    """The form's plan: its consignment replaces the plan's first; any others (added
    through the API) are kept."""
    case = svc.case(case_id)
    own = svc.settings.party
    peer = next((p for p in case.parties if p != own), "")
    typed = {name: values[name] for name in CONSIGNMENT_FIELDS if values[name]}
    # validated on its own first, so an error names the field beside which it shows
    consignment = Consignment.model_validate(typed).model_dump(exclude_none=True) if typed else {}
    try:
        others = svc.view(case_id).consignments[1:]
    except NotFound:  # no plan yet: this form drafts it
        others = []
    leads = {own: values["lead_own"], peer: values["lead_peer"]}
    data: dict[str, Any] = {
        "consignments": ([consignment] if consignment else []) + others,
        "substance_cas": values["substance_cas"],
        "quantity": values["quantity"] or 0,
        "unit": values["unit"] or "kg",
        "route": _route(str(values["route"])),
        "window_start": values["window_start"],
        "window_end": values["window_end"],
        "lead_agencies": {party: agency for party, agency in leads.items() if party and agency},
    }
    return PlanIn.model_validate(data)


def _submit_change(
    request: Request,
    deps: tuple[Session, Caller, Settings],
    case_id: str,
    values: FormValues,
    form_key: str,
    change: Callable[[], ControlledDeliveryEvent],
) -> Response:
    """Run one change of the plan: done, back to the case page at the panel; refused, the
    case page again with the form ``form_key`` as typed and the error beside its field."""
    db, caller, settings = deps
    return submit(
        request,
        db,
        values,
        change,
        then=lambda done: _after(case_id, done),
        again=lambda state: thread_response(
            request, db, caller, settings, case_id, forms={form_key: state}, status=state.status
        ),
    )


@router.post("/{case_id}/plan")
def save_plan(
    request: Request,
    case_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    values = read_values(form, PLAN_FIELDS)
    svc = DeliveryService(db, caller, settings)
    return _submit_change(
        request,
        (db, caller, settings),
        case_id,
        values,
        "cd_plan",
        lambda: svc.save_plan(case_id, _plan(svc, case_id, values)),
    )


@router.post("/{case_id}/authorise")
def authorise(
    request: Request,
    case_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    values = read_values(form, ("authorised_by", "authorised_at", "legal_reference"))
    # the form's time is the officer's local time; the plan keeps UTC
    when = times.parse_local(str(values["authorised_at"]), caller.time_zone)
    data = values | {"party": settings.party}
    if when is not None:
        data["authorised_at"] = when.isoformat()
    svc = DeliveryService(db, caller, settings)
    return _submit_change(
        request,
        (db, caller, settings),
        case_id,
        values,
        "cd_authorise",
        lambda: svc.authorise(case_id, AuthoriseIn.model_validate(data)),
    )


@router.post("/{case_id}/status")
def move(
    request: Request,
    case_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    values = read_values(form, ("status", "status_note"))
    svc = DeliveryService(db, caller, settings)
    data = {"status": values["status"], "note": values["status_note"]}
    return _submit_change(
        request,
        (db, caller, settings),
        case_id,
        values,
        "cd_status",
        lambda: svc.move(case_id, StatusIn.model_validate(data)),
    )
