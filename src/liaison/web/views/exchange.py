"""Exchange pages: the inbox and a case's thread (its forms post to ``exchange_actions``).

Rules live in ExchangeService (which filters what the caller may see); a refused form
re-renders the thread with the error next to the field, a policy block with its rules.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from liaison.api.deps import DbDep, SettingsDep
from liaison.config import Settings
from liaison.exchange import consent
from liaison.exchange.casework import ASSIGNERS
from liaison.exchange.endpoints import inbox_page
from liaison.exchange.entity_keys import label
from liaison.exchange.indexing import parse_entities
from liaison.exchange.reads import Thread
from liaison.exchange.recipients import recipient_statuses
from liaison.exchange.repository import InboxFilter, due_state
from liaison.exchange.schemas import (
    MessageStatus,
    MessageType,
    Outcome,
    Priority,
    ReasonCode,
)
from liaison.exchange.send_checks import SENDERS
from liaison.exchange.service import ExchangeService
from liaison.kit import clock
from liaison.kit.errors import ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.inputs import IdPath
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.models import Message
from liaison.policy import obligations
from liaison.web.views import delivery_panel, once
from liaison.web.views.common import (
    PageCallerDep,
    choices,
    render,
)
from liaison.web.views.forms import (
    FormState,
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
        raise ValidationFailed.on_field(
            name, Text(N_("not a %(name)s this inbox knows: %(value)s"), name=name, value=value)
        )
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


def thread_response(
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
        "incoming": {m.id: [t for t in thread.transfers if t.message_id == m.id] for m in messages},
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
        "obligations": obligations.for_case(db, case_id),
        "may_discharge": caller.role in obligations.DISCHARGERS,
        "delivery": delivery_panel.panel(db, caller, settings, thread.case, forms or {}),
        "recipients": recipient_statuses(messages, now),
        "consents": [] if thread.case.withheld else consent.for_case(db, case_id),
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
    return thread_response(request, db, caller, settings, case_id)
