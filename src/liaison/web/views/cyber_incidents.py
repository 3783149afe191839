"""Cyber incident pages: record, timeline entries, tasks per side, status, linked objects."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from liaison.api.deps import DbDep
from liaison.cyber.incidents import (
    EntryCreate,
    IncidentCreate,
    IncidentService,
    IncidentStatus,
    LinkCreate,
    Severity,
    reporting_clock,
)
from liaison.cyber.repository import CyberRepository
from liaison.directory.parties import parties as directory_parties
from liaison.kit.errors import ValidationFailed
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.models import CyberIncident
from liaison.web import times
from liaison.web.views.common import (
    CsrfFormDep,
    PageCallerDep,
    form_text,
    redirect_after_post,
    render,
)
from liaison.web.views.forms import FormState, read_values, submit

router = APIRouter(prefix="/cyber/incidents", include_in_schema=False)
FIELDS = ("title", "summary", "severity", "detected_at", "reportable_cert_in")


def _url(incident_id: str) -> str:
    return f"/cyber/incidents/{incident_id}"


def _incident_page(
    request: Request,
    db: DbDep,
    caller: Caller,
    incident: CyberIncident,
    form: FormState | None = None,
) -> Response:
    service = IncidentService(db, caller)
    links = service.links(incident.id)
    repo = CyberRepository(db, caller)
    return render(
        request,
        "cyber/incident.html",
        caller=caller,
        status=form.status if form else 200,
        incident=incident,
        due=reporting_clock(incident),
        timeline=service.timeline(incident.id),
        linked=links.visible,
        hidden=links.hidden,
        statuses=[s.value for s in IncidentStatus],
        collections=repo.collections(),
        sides=directory_parties(db),
        form=form or FormState(),
    )


@router.post("")
def create_incident(
    request: Request, db: DbDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    values = read_values(form, FIELDS)
    # The form's time is the user's local time (their zone); the incident stores UTC.
    detected = times.parse_local(form_text(form, "detected_at"), caller.time_zone)
    data: dict[str, object] = values | {
        "reportable_cert_in": form_text(form, "reportable_cert_in") == "true"
    }
    if detected is not None:
        data["detected_at"] = detected
    return submit(
        request,
        db,
        values,
        lambda: IncidentService(db, caller).create(IncidentCreate.model_validate(data)),
        then=lambda result: _url(result.id),
        again=lambda result: render(
            request,
            "cyber/index.html",
            caller=caller,
            status=result.status,
            collections=CyberRepository(db, caller).collections(),
            incidents=[(i, reporting_clock(i)) for i in IncidentService(db, caller).recent()],
            severities=[s.value for s in Severity],
            form=result,
        ),
    )


@router.get("/{incident_id}")
def incident(request: Request, incident_id: str, db: DbDep, caller: PageCallerDep) -> Response:
    return _incident_page(request, db, caller, IncidentService(db, caller).get(incident_id))


@router.post("/{incident_id}/entries")
def add_entry(
    request: Request, incident_id: str, db: DbDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    service = IncidentService(db, caller)
    values = read_values(form, ("kind", "side", "text"))
    return submit(
        request,
        db,
        values,
        lambda: service.add_entry(incident_id, EntryCreate.model_validate(values)),
        then=lambda result: _url(incident_id),
        again=lambda result: _incident_page(request, db, caller, service.get(incident_id), result),
    )


@router.post("/{incident_id}/links")
def link_object(
    request: Request, incident_id: str, db: DbDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    service = IncidentService(db, caller)
    values = read_values(form, ("collection_id", "stix_id"))
    return submit(
        request,
        db,
        values,
        lambda: service.link(incident_id, LinkCreate.model_validate(values)),
        then=lambda result: _url(incident_id),
        again=lambda result: _incident_page(request, db, caller, service.get(incident_id), result),
    )


@router.post("/{incident_id}/status")
def change_status(
    request: Request, incident_id: str, db: DbDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    service = IncidentService(db, caller)
    action = form_text(form, "action")
    if action == "reported":
        service.mark_reported(incident_id)
    else:
        try:
            status = IncidentStatus(form_text(form, "status"))
        except ValueError as exc:
            raise ValidationFailed.on_field(
                "status", N_("choose one of the listed statuses")
            ) from exc
        service.set_status(incident_id, status)
    return redirect_after_post(request, _url(incident_id))
