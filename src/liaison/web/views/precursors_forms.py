"""Precursor form posts: send a notification, answer one, open a case, import an
extract, report an incident, update the register. Rules live in the services."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from liaison.api.deps import DbDep, SettingsDep
from liaison.directory.parties import parties as directory_parties
from liaison.kit.inputs import IdPath, QueryText
from liaison.kit.plugin import N_
from liaison.precursors import register
from liaison.precursors.imports import NoticeImport, rows_of
from liaison.precursors.incidents import IncidentService
from liaison.precursors.repository import PrecursorRepository
from liaison.precursors.schemas import (
    AnswerIn,
    CaseIn,
    ImportOptions,
    IncidentIn,
    NoticeIn,
    SubstanceIn,
)
from liaison.precursors.service import NoticeService
from liaison.web.views.common import CsrfFormDep, PageCallerDep, render
from liaison.web.views.forms import FormState, FormValues, attempt, read_values, submit
from liaison.web.views.precursors import notice_page, options

router = APIRouter(prefix="/precursors", include_in_schema=False)
NOTICE_FIELDS = (
    "reference", "exporter", "exporter_country", "importer", "importing_party", "consignee",
    "substance_cas", "quantity", "unit", "purpose", "transit_points", "point_of_entry",
    "dispatch_date", "licences", "container", "vessel_imo", "vessel_name",
    "respond_within_days",
)  # fmt: skip
MARKING_FIELDS = ("tlp", "handling_code", "legal_basis", "legal_basis_reference")
INCIDENT_FIELDS = (
    "kind", "substance_cas", "quantity", "unit", "diversion_method", "location",
    "occurred_on", "description", "exporter", "consignee", "container", "vessel_imo",
    "notice_id", "tlp",
)  # fmt: skip
LISTS = ("transit_points", "licences")


def _split(value: str | list[str]) -> list[str]:
    text = value if isinstance(value, str) else ";".join(value)
    return [p.strip() for p in text.replace(",", ";").split(";") if p.strip()]


def _data(values: FormValues, names: tuple[str, ...]) -> dict[str, Any]:
    """Form values for a schema: blanks left out (defaults apply), lists split."""
    data: dict[str, Any] = {}
    for name in names:
        value = values.get(name, "")
        if value:
            data[name] = _split(value) if name in LISTS else value
    return data


@router.post("/notices")
def send_notice(
    request: Request, db: DbDep, caller: PageCallerDep, settings: SettingsDep, form: CsrfFormDep
) -> Response:
    values = read_values(form, (*NOTICE_FIELDS, *MARKING_FIELDS))
    data = _data(values, NOTICE_FIELDS) | {"markings": _data(values, MARKING_FIELDS)}
    return submit(
        request,
        db,
        values,
        lambda: NoticeService(db, caller, settings).create(NoticeIn.model_validate(data)),
        then=lambda notice: f"/precursors/notices/{notice.id}",
        again=lambda state: render(
            request, "precursors/notice_new.html", caller=caller, status=state.status,
            form=state, substances=register.search(db), **options(),
        ),
    )  # fmt: skip


@router.post("/notices/{notice_id}/answer")
def answer(
    request: Request,
    notice_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    values = read_values(form, ("outcome", "reason", "open_case"))
    data = {
        "outcome": values["outcome"],
        "reason": values["reason"],
        "open_case": values["open_case"] == "true",
    }
    service = NoticeService(db, caller, settings)
    return submit(
        request,
        db,
        values,
        lambda: service.answer(notice_id, AnswerIn.model_validate(data)),
        then=lambda notice: f"/precursors/notices/{notice.id}",
        again=lambda state: notice_page(request, db, caller, service.repo.notice(notice_id), state),
    )


@router.post("/notices/{notice_id}/case")
def notice_case(
    request: Request,
    notice_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    values = read_values(form, ("join_case_id", "note"))
    service = NoticeService(db, caller, settings)
    return submit(
        request,
        db,
        values,
        lambda: service.open_case(
            notice_id, CaseIn.model_validate(_data(values, ("join_case_id", "note")))
        ),
        then=lambda case_id: f"/exchange/cases/{case_id}",
        again=lambda state: notice_page(request, db, caller, service.repo.notice(notice_id), state),
    )


@router.post("/import")
def import_extract(
    request: Request, db: DbDep, caller: PageCallerDep, settings: SettingsDep, form: CsrfFormDep
) -> Response:
    upload = form.get("file")
    values = read_values(form, (*MARKING_FIELDS, "respond_within_days"))
    state = FormState(values=values)
    report = None
    if not isinstance(upload, UploadFile) or not upload.filename:
        state = FormState(
            values=values, errors={"file": N_("choose a CSV or .xlsx file")}, status=422
        )
    else:

        def run() -> Any:
            options = ImportOptions.model_validate(
                _data(values, ("respond_within_days",))
                | {"markings": _data(values, MARKING_FIELDS)}
            )
            return NoticeImport(db, caller, settings).run(
                rows_of(upload.file, upload.filename or ""),
                options.markings,
                options.respond_within_days,
            )

        result = attempt(db, values, run)
        if isinstance(result, FormState):
            state = result
        else:
            report = result
            state.status = 201 if report.imported else 422
    return render(
        request, "precursors/import.html", caller=caller, status=state.status, form=state,
        report=report, **options(),
    )  # fmt: skip


@router.post("/incidents")
def report_incident(
    request: Request, db: DbDep, caller: PageCallerDep, settings: SettingsDep, form: CsrfFormDep
) -> Response:
    values = read_values(form, INCIDENT_FIELDS)
    return submit(
        request,
        db,
        values,
        lambda: IncidentService(db, caller, settings).create(
            IncidentIn.model_validate(_data(values, INCIDENT_FIELDS))
        ),
        then=lambda incident: f"/precursors/incidents/{incident.id}",
        again=lambda state: render(
            request, "precursors/incidents.html", caller=caller, status=state.status, form=state,
            rows=PrecursorRepository(db, caller).incidents(), substances=register.search(db),
            **options(),
        ),
    )  # fmt: skip


@router.post("/incidents/{incident_id}/case")
def incident_case(
    request: Request,
    incident_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    values = read_values(form, ("join_case_id", "note"))
    return submit(
        request,
        db,
        values,
        lambda: IncidentService(db, caller, settings).incident_case(
            incident_id, CaseIn.model_validate(_data(values, ("join_case_id", "note")))
        ),
        then=lambda case_id: f"/exchange/cases/{case_id}",
        again=lambda state: render(
            request, "precursors/incident.html", caller=caller, status=state.status,
            i=PrecursorRepository(db, caller).incident(incident_id), form=state,
        ),
    )  # fmt: skip


SUBSTANCE_FIELDS = (
    "cas", "name", "category", "family", "hs_code", "unit", "note", "synonyms", "parent_cas",
)  # fmt: skip


def _control_fields(codes: list[str]) -> tuple[str, ...]:
    """A status and a legal reference for each of the directory's parties."""
    return tuple(f"{c.lower()}_{what}" for c in codes for what in ("status", "reference"))


@router.post("/substances/{cas}")
def save_substance(
    request: Request,
    cas: Annotated[str, QueryText],
    db: DbDep,
    caller: PageCallerDep,
    form: CsrfFormDep,
) -> Response:
    parties = directory_parties(db)
    codes = [party.code for party in parties]
    values = read_values(form, SUBSTANCE_FIELDS + _control_fields(codes))
    data = _data(
        values, ("cas", "name", "category", "family", "hs_code", "unit", "note", "parent_cas")
    )
    data["synonyms"] = _split(values["synonyms"])
    data["control"] = {
        code: {
            "status": values[f"{code.lower()}_status"],
            "reference": values[f"{code.lower()}_reference"],
        }
        for code in codes
    }
    return submit(
        request,
        db,
        values,
        lambda: register.save(db, caller, SubstanceIn.model_validate(data)),
        then=lambda row: f"/precursors/substances?q={row.cas}",
        again=lambda state: render(
            request, "precursors/substance_form.html", caller=caller, status=state.status,
            form=state, parties=parties,
        ),
    )  # fmt: skip
