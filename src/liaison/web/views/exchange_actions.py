"""The forms on a case's thread: reply, forward, clarify, answer, assign, note, status.

Each goes through ``submit``: back to the thread, or the thread again with the failed
form's errors (a send keeps its audited refusal, a policy block shows its rules).
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from liaison.api.deps import DbDep, SettingsDep
from liaison.config import Settings
from liaison.exchange import consent
from liaison.exchange.schemas import ForwardIn
from liaison.exchange.service import ExchangeService
from liaison.kit.errors import NotFound, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.inputs import IdPath
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.models import Message
from liaison.web.views import once
from liaison.web.views.common import CsrfFormDep, PageCallerDep, redirect_after_post
from liaison.web.views.exchange import thread_response
from liaison.web.views.exchange_forms import REPLY_FIELDS, attempt_send, reply_data
from liaison.web.views.forms import Attempt, FormValues, attempt, read_values, submit

router = APIRouter(prefix="/exchange", include_in_schema=False)


def _in_thread(
    request: Request,
    db: Session,
    caller: Caller,
    settings: Settings,
    case_id: str,
    name: str,
    values: FormValues,
    action: Callable[[], object],
    *,
    sends: bool = False,
    guard: once.Guard | None = None,
) -> Response:
    """A form on a case's thread: back to the thread, or the thread again with the
    failed form ``name``'s errors; a form that ``sends`` keeps an audited refusal."""
    run: Attempt[object] = attempt_send if sends else attempt
    return submit(
        request,
        db,
        values,
        action,
        # no #fragment: htmx's HX-Redirect to the same path plus a fragment would not reload
        then=lambda _: f"/exchange/cases/{case_id}",
        again=lambda form: thread_response(
            request, db, caller, settings, case_id, {name: form}, form.status
        ),
        run=run,
        guard=guard,
    )


def _in_case(svc: ExchangeService, case_id: str, values: FormValues, name: str) -> str:
    """The message the form's field ``name`` chooses, which must belong to this case."""
    message_id = str(values[name])
    if not message_id:
        raise ValidationFailed.on_field(name, N_("choose a message"))
    if svc.repo.message(message_id).case_id != case_id:
        raise ValidationFailed.on_field(name, N_("that message is not in this case"))
    return message_id


@router.post("/cases/{case_id}/reply")
def reply(
    request: Request,
    case_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    svc = ExchangeService(db, caller, settings)
    values = read_values(form, REPLY_FIELDS)
    return _in_thread(
        request,
        db,
        caller,
        settings,
        case_id,
        "reply",
        values,
        lambda: svc.reply(_in_case(svc, case_id, values, "message_id"), reply_data(values)),
        sends=True,
        guard=once.Guard(db, caller, form, request.url.path),
    )


@router.post("/cases/{case_id}/forward")
def forward(
    request: Request,
    case_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    svc = ExchangeService(db, caller, settings)
    values = read_values(form, ("forward_of", "to_agency_id", "note"))

    def act() -> Message:
        data = ForwardIn.model_validate(
            {"to_agency_id": values["to_agency_id"], "note": values["note"]}
        )
        return svc.forward(_in_case(svc, case_id, values, "forward_of"), data)

    guard = once.Guard(db, caller, form, request.url.path)
    return _in_thread(
        request, db, caller, settings, case_id, "forward", values, act, sends=True, guard=guard
    )


@router.post("/cases/{case_id}/clarify")
def clarify(
    request: Request,
    case_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    svc = ExchangeService(db, caller, settings)
    values = read_values(form, ("clarify_of", "question"))

    def act() -> object:
        question = str(values["question"]).strip()
        if len(question) < 3:
            raise ValidationFailed.on_field(
                "question", N_("write the question (3 characters or more)")
            )
        return svc.ask_clarification(_in_case(svc, case_id, values, "clarify_of"), question)

    return _in_thread(request, db, caller, settings, case_id, "clarify", values, act, sends=True)


@router.post("/cases/{case_id}/clarifications/{clarification_id}/answer")
def answer(
    request: Request,
    case_id: IdPath,
    clarification_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    svc = ExchangeService(db, caller, settings)
    svc.repo.case(case_id)
    values = read_values(form, ("answer",))

    def act() -> object:
        text = str(values["answer"]).strip()
        if not text:
            raise ValidationFailed.on_field("answer", N_("write the answer you received"))
        return svc.answer_clarification(clarification_id, text)

    name = f"answer-{clarification_id}"
    return _in_thread(request, db, caller, settings, case_id, name, values, act)


@router.post("/cases/{case_id}/assign")
def assign(
    request: Request,
    case_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    svc = ExchangeService(db, caller, settings)
    values = read_values(form, ("username",))

    def act() -> object:
        if not values["username"]:
            raise ValidationFailed.on_field("username", N_("choose who to assign the case to"))
        return svc.assign(case_id, str(values["username"]))

    return _in_thread(request, db, caller, settings, case_id, "assign", values, act)


@router.post("/cases/{case_id}/notes")
def add_note(
    request: Request,
    case_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    svc = ExchangeService(db, caller, settings)
    values = read_values(form, ("text",))

    def act() -> object:
        text = str(values["text"]).strip()
        if not text or len(text) > 10_000:
            raise ValidationFailed.on_field("text", N_("write a note of up to 10,000 characters"))
        return svc.add_note(case_id, text)

    return _in_thread(request, db, caller, settings, case_id, "note", values, act)


@router.post("/cases/{case_id}/consents/{consent_id}")
def answer_consent(
    request: Request,
    case_id: IdPath,
    consent_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    """The originator's officer grants or refuses a holder's request to pass it on."""
    values = read_values(form, ("decision", "reason"))

    def act() -> object:
        consent.require_handler(caller)
        if consent_id not in {row.id for row in consent.for_case(db, case_id)}:
            raise NotFound(Text(N_("no consent request %(consent_id)s"), consent_id=consent_id))
        if values["decision"] not in ("grant", "refuse"):
            raise ValidationFailed.on_field("decision", N_("grant or refuse the request"))
        reason = str(values["reason"]).strip()
        if len(reason) > 2000:
            too_long = N_("write a reason of up to 2,000 characters")
            raise ValidationFailed.on_field("reason", too_long)
        granted = values["decision"] == "grant"
        return consent.answer_as(db, caller, consent_id, granted=granted, reason=reason)

    name = f"consent-{consent_id}"
    return _in_thread(request, db, caller, settings, case_id, name, values, act)


@router.post("/cases/{case_id}/status")
def set_status(
    request: Request,
    case_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    wanted = "open" if form.get("status") == "open" else "closed"
    ExchangeService(db, caller, settings).set_case_status(case_id, wanted)
    return redirect_after_post(request, f"/exchange/cases/{case_id}")
