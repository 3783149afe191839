"""Hit/no-hit pages: a single check, a bulk CSV check (results on the page or as a
file), and for administrators the index status and rebuild."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from liaison.api.deps import DbDep, SettingsDep
from liaison.config import Settings
from liaison.exchange.schemas import LegalBasis
from liaison.hitcheck import bulk, bulk_jobs, confirm, index
from liaison.hitcheck.access import require_admin
from liaison.hitcheck.deps import PeerHttpDep
from liaison.hitcheck.identifiers import Category, Identifier
from liaison.hitcheck.schemas import CheckIn, CheckOut, ConfirmIn, MatchOut
from liaison.hitcheck.service import HitcheckService
from liaison.kit.errors import NotFound, ValidationFailed
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.web.views.common import (
    CsrfFormDep,
    PageCallerDep,
    choices,
    form_text,
    redirect_after_post,
    render,
)
from liaison.web.views.forms import FormState, FormValues, attempt

router = APIRouter(prefix="/hitcheck", include_in_schema=False)
SINGLE = ("category", "value", "country", "date_of_birth", "currency", "purpose", "legal_basis")


def _page(
    request: Request,
    db: Session,
    caller: Caller,
    settings: Settings,
    form: FormState | None = None,
    result: CheckOut | None = None,
    bulk_form: FormState | None = None,
) -> Response:
    blank = FormState(values={"legal_basis": "police_cooperation"})
    context: dict[str, Any] = {
        "form": form or blank,
        "bulk": bulk_form or blank,
        "categories": choices(Category),
        "bases": choices(LegalBasis),
        "result": result,
        "index_status": index.status(db) if caller.is_admin else None,
        "indexed": settings.hitcheck_indexed_categories,
    }
    status = max(form.status if form else 200, bulk_form.status if bulk_form else 200)
    return render(request, "hitcheck/index.html", caller=caller, status=status, **context)


@router.get("")
def hitcheck_page(
    request: Request, db: DbDep, caller: PageCallerDep, settings: SettingsDep
) -> Response:
    return _page(request, db, caller, settings)


@router.post("/check")
def single_check(
    request: Request,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    http: PeerHttpDep,
    form: CsrfFormDep,
) -> Response:
    values: FormValues = {name: form_text(form, name) for name in SINGLE}
    item = {k: values[k] or None for k in ("category", "value", "country", "date_of_birth")}
    item |= {"currency": values["currency"] or None}

    def run() -> CheckOut:
        data = CheckIn.model_validate(
            {
                "purpose": values["purpose"],
                "legal_basis": values["legal_basis"],
                "identifiers": [item],
            }
        )
        return HitcheckService(db, caller, settings, http).check(data)

    result = attempt(db, values, run)
    if isinstance(result, FormState):
        return _page(request, db, caller, settings, form=result)
    return _page(request, db, caller, settings, form=FormState(values=values), result=result)


@router.post("/bulk")
def bulk_check(
    request: Request,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    http: PeerHttpDep,
    form: CsrfFormDep,
    background: BackgroundTasks,
) -> Response:
    """ "Check and download": the result file in the answer. "Check and show": a job
    that runs after the answer, and a page that shows its progress, then its result."""
    purpose, basis = form_text(form, "purpose"), form_text(form, "legal_basis")
    values: FormValues = {"purpose": purpose, "legal_basis": basis}
    upload = form.get("file")
    as_file = form_text(form, "output") == "csv"

    def run() -> CheckOut | bulk_jobs.Plan:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise ValidationFailed.on_field("file", N_("choose a CSV file to check"))
        text = upload.file.read(settings.max_request_bytes).decode("utf-8-sig", "replace")
        service = HitcheckService(db, caller, settings, http)
        if as_file:
            return bulk.run(service, text, purpose, basis)
        return bulk_jobs.start(service, text, upload.filename, purpose, basis)

    result = attempt(db, values, run)
    if isinstance(result, FormState):
        return _page(request, db, caller, settings, bulk_form=result)
    if isinstance(result, bulk_jobs.Plan):
        factory = request.app.state.session_factory
        background.add_task(bulk_jobs.run, factory, settings, http, caller, result)
        return redirect_after_post(request, f"/hitcheck/bulk/{result.job_id}")
    return _result_file(bulk.result_csv(result))


def _result_file(text: str) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="hitcheck-results.csv"'},
    )


@router.get("/bulk/{job_id}")
def bulk_job_page(request: Request, job_id: str, db: DbDep, caller: PageCallerDep) -> Response:
    job = bulk_jobs.get(db, caller, job_id)
    result = bulk_jobs.result_of(job)
    failure = bulk_jobs.failure(job)
    return render(
        request, "hitcheck/bulk.html", caller=caller, job=job, result=result, failure=failure
    )


@router.get("/bulk/{job_id}/results.csv")
def bulk_job_file(job_id: str, db: DbDep, caller: PageCallerDep) -> Response:
    result = bulk_jobs.result_of(bulk_jobs.get(db, caller, job_id))
    if result is None:
        raise NotFound(N_("this bulk check has no result yet"))
    return _result_file(bulk.result_csv(result))


@router.post("/index/rebuild")
def rebuild_index(
    request: Request, db: DbDep, caller: PageCallerDep, settings: SettingsDep, form: CsrfFormDep
) -> Response:
    require_admin(caller)
    index.rebuild(db, settings)
    return redirect_after_post(request, "/hitcheck#index")


LOOKUP = ("category", "value", "country", "date_of_birth", "currency")


def _identifier(values: FormValues) -> Identifier:
    return Identifier.model_validate({k: values.get(k) or None for k in LOOKUP})


def _confirm_page(
    request: Request, caller: Caller, form: FormState, matches: list[MatchOut] | None = None
) -> Response:
    return render(
        request,
        "hitcheck/confirm.html",
        caller=caller,
        status=form.status,
        form=form,
        categories=choices(Category),
        matches=matches,
    )


@router.get("/confirm")
def confirm_page(request: Request, caller: PageCallerDep) -> Response:
    return _confirm_page(request, caller, FormState())


@router.post("/confirm")
def confirm_lookup(
    request: Request, db: DbDep, caller: PageCallerDep, settings: SettingsDep, form: CsrfFormDep
) -> Response:
    """The records here that carry the identifier a peer's follow-up request names; with
    ``decision`` ("confirmed <message id>" or "rejected <message id>"), the decision."""
    values: FormValues = {name: form_text(form, name) for name in (*LOOKUP, "note")}
    decision, _, message_id = form_text(form, "decision").partition(" ")

    def run() -> list[MatchOut]:
        item = _identifier(values)
        if decision:
            data = ConfirmIn(
                identifier=item,
                message_id=message_id,
                confirmed=decision == "confirmed",
                note=str(values["note"]),
            )
            confirm.confirm(db, caller, settings, data)
        return confirm.matches(db, caller, settings, item)

    found = attempt(db, values, run)
    if isinstance(found, FormState):
        return _confirm_page(request, caller, found)
    message = f"Recorded: match {decision}." if decision else None
    state = FormState(values=values, message=message)
    return _confirm_page(request, caller, state, found)
