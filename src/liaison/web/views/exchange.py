"""Exchange pages: the inbox and a case's thread with its forms.

Rules live in ExchangeService (which filters what the caller may see); a refused form
re-renders the thread with the error next to the field, a policy block with its rules.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from liaison.api.deps import DbDep, SettingsDep
from liaison.config import Settings
from liaison.exchange.endpoints import inbox_page
from liaison.exchange.entity_keys import label
from liaison.exchange.indexing import parse_entities
from liaison.exchange.reads import Thread
from liaison.exchange.repository import InboxFilter, due_state
from liaison.exchange.schemas import (
    ForwardIn,
    MessageStatus,
    MessageType,
    Outcome,
    Priority,
    ReasonCode,
)
from liaison.exchange.service import ASSIGNERS, SENDERS, ExchangeService
from liaison.kit import clock
from liaison.kit.errors import ValidationFailed
from liaison.kit.inputs import IdPath
from liaison.kit.roles import Caller
from liaison.models import Message
from liaison.web.views import once
from liaison.web.views.common import (
    CsrfFormDep,
    PageCallerDep,
    choices,
    redirect_after_post,
    render,
)
from liaison.web.views.exchange_forms import REPLY_FIELDS, attempt_send, reply_data
from liaison.web.views.forms import (
    Attempt,
    FormState,
    FormValues,
    attempt,
    read_values,
    submit,
)

router = APIRouter(prefix="/exchange", include_in_schema=False)
PAGE_SIZE = 25
KINDS = [MessageType.REQUEST, MessageType.DISCLOSURE, MessageType.ALERT, MessageType.REPLY]
REPLY_TYPES = [MessageType.REPLY, MessageType.ACKNOWLEDGEMENT, MessageType.FOLLOW_UP]


# A filter select sends "" for "any": plain text here, checked against the enum below.
Choice = Annotated[str, Query(max_length=40)]


def _choice(options: type[StrEnum], name: str, value: str) -> str | None:
    if not value:
        return None
    if value not in {member.value for member in options}:
        raise ValidationFailed.on_field(name, f"not a {name} this inbox knows: {value}")
    return value


@router.get("")
def inbox(
    request: Request,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    status: Choice = "",
    priority: Choice = "",
    kind: Choice = "",
    mine: bool = False,
    due: bool = False,
    q: Annotated[str | None, Query(max_length=200)] = None,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """The caller's messages, newest first, with their markings and deadline state."""
    svc = ExchangeService(db, caller, settings)
    flt = InboxFilter(
        status=_choice(MessageStatus, "status", status),
        priority=_choice(Priority, "priority", priority),
        type=_choice(MessageType, "kind", kind),
        assigned_to=caller.user_id if mine else None,
        due=due,
        search=q or None,
        limit=PAGE_SIZE,
        cursor=cursor or None,
    )
    page = inbox_page(svc, flt)
    following = None
    if page.next_cursor:
        following = request.url.include_query_params(cursor=page.next_cursor)
    first = request.url.remove_query_params("cursor") if cursor else None
    filters = FormState(values={"status": status, "priority": priority, "kind": kind, "q": q or ""})
    return render(
        request,
        "exchange/inbox.html",
        caller=caller,
        page=page,
        filters=filters,
        mine=mine,
        due=due,
        statuses=choices(MessageStatus),
        priorities=choices(Priority),
        kinds=choices(KINDS),
        next_url=f"{following.path}?{following.query}" if following else None,
        first_url=f"{first.path}?{first.query}" if first else None,
        may_send=caller.role in SENDERS,
    )


def _default_target(messages: list[Message]) -> str:
    """The message a reply answers by default: the latest received one, else the latest."""
    received = [m for m in messages if m.direction == "in"]
    chosen = (received or messages)[-1:] if messages else []
    return chosen[0].id if chosen else ""


def _thread_page(
    request: Request,
    db: Session,
    caller: Caller,
    settings: Settings,
    case_id: str,
    forms: dict[str, FormState] | None = None,
    status: int = 200,
) -> Response:
    svc = ExchangeService(db, caller, settings)
    thread: Thread = svc.thread(case_id)
    messages = thread.messages
    repo = svc.repo
    ids = {m.from_agency_id for m in messages} | {m.to_agency_id for m in messages}
    own, peer = (
        repo.agencies_of(settings.party, own=True),
        repo.agencies_of(settings.party, own=False),
    )
    now = clock.now()
    fraction = settings.exchange_due_soon_fraction
    target = _default_target(messages)
    blank: dict[str, FormState] = {
        "reply": FormState(values={"message_id": target, "type": "reply", "outcome": "answered"}),
        "forward": FormState(values={"forward_of": target}),
        "clarify": FormState(
            values={"clarify_of": next((m.id for m in messages if _clarifiable(m)), "")}
        ),
        "assign": FormState(),
        "note": FormState(),
    }
    shown = {m.id for m in messages}
    children: dict[str, list[Message]] = {}
    for message in messages:
        parent = message.in_reply_to if message.in_reply_to in shown else ""
        children.setdefault(parent or "", []).append(message)
    users = repo.users([thread.case.assigned_to] if thread.case.assigned_to else [])
    context: dict[str, Any] = {
        "thread": thread,
        "case": thread.case,
        "agencies": repo.agencies(sorted(ids)),
        "children": children,
        "entities": {m.id: [label(e) for e in parse_entities(m.entities)] for m in messages},
        "attachments": {
            m.id: [a for a in thread.attachments if a.message_id == m.id] for m in messages
        },
        "clarifications": {
            m.id: [c for c in thread.clarifications if c.message_id == m.id] for m in messages
        },
        "due": {m.id: due_state(m, now, fraction) for m in messages},
        "forms": blank | (forms or {}),
        # one per form: a reply and a forward from one page are two submits
        "submit_tokens": {name: once.token_for(None) for name in ("reply", "forward")},
        "blank": FormState(),
        "targets": [(m.id, f"{m.subject} ({m.type}, {m.direction})") for m in messages],
        "clarifiable": [(m.id, m.subject) for m in messages if _clarifiable(m)],
        "forward_to": [(a.id, f"{a.acronym} ({a.party_code})") for a in [*own, *peer]],
        "assignees": [
            (u.username, f"{u.display_name} ({u.username})")
            for u in repo.assignable_users(settings.party)
        ],
        "assigned": users.get(thread.case.assigned_to or ""),
        "reply_types": choices(REPLY_TYPES),
        "outcomes": choices(Outcome),
        "reasons": choices(ReasonCode),
        "may_send": caller.role in SENDERS,
        "may_assign": caller.role in ASSIGNERS,
    }
    return render(request, "exchange/thread.html", caller=caller, status=status, **context)


def _clarifiable(message: Message) -> bool:
    return message.direction == "in" and message.type == "request" and message.paused_since is None


@router.get("/messages/{message_id}")
def message_page(
    message_id: IdPath, db: DbDep, caller: PageCallerDep, settings: SettingsDep
) -> Response:
    """A message's place in its thread (links from the review queue and notifications)."""
    message = ExchangeService(db, caller, settings).repo.message(message_id)
    return RedirectResponse(f"/exchange/cases/{message.case_id}#message-{message.id}", 303)


@router.get("/cases/{case_id}")
def thread_page(
    request: Request, case_id: IdPath, db: DbDep, caller: PageCallerDep, settings: SettingsDep
) -> Response:
    return _thread_page(request, db, caller, settings, case_id)


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
        again=lambda form: _thread_page(
            request, db, caller, settings, case_id, {name: form}, form.status
        ),
        run=run,
        guard=guard,
    )


def _in_case(svc: ExchangeService, case_id: str, values: FormValues, name: str) -> str:
    """The message the form's field ``name`` chooses, which must belong to this case."""
    message_id = str(values[name])
    if not message_id:
        raise ValidationFailed.on_field(name, "choose a message")
    if svc.repo.message(message_id).case_id != case_id:
        raise ValidationFailed.on_field(name, "that message is not in this case")
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
            raise ValidationFailed.on_field("question", "write the question (3 characters or more)")
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
            raise ValidationFailed.on_field("answer", "write the answer you received")
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
            raise ValidationFailed.on_field("username", "choose who to assign the case to")
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
            raise ValidationFailed.on_field("text", "write a note of up to 10,000 characters")
        return svc.add_note(case_id, text)

    return _in_thread(request, db, caller, settings, case_id, "note", values, act)


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
