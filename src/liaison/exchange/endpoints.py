"""Exchange API under /api/v1/exchange. Thin: parse, call the service, shape the answer.

A refusal by policy or by the markings (PolicyBlocked, Forbidden) is answered as
problem+json rather than raised, so its audit entry commits.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile, status
from fastapi.responses import Response, StreamingResponse

from liaison.api.deps import DbDep, SettingsDep
from liaison.api.problems import problem
from liaison.exchange.attachments import read_blob, store_stream
from liaison.exchange.reads import Thread
from liaison.exchange.recipients import recipient_statuses
from liaison.exchange.repository import InboxFilter, due_state
from liaison.exchange.schemas import (
    AssignIn,
    AttachmentOut,
    CaseDetail,
    CaseOut,
    ClarificationAnswerIn,
    ClarificationIn,
    ClarificationOut,
    ComposeIn,
    DeconflictHit,
    DeconflictIn,
    ForwardIn,
    InboxItem,
    InboxPage,
    IncomingAttachmentOut,
    Markings,
    MessageOut,
    MessageStatus,
    NoteIn,
    NoteOut,
    Priority,
    ReplyIn,
)
from liaison.exchange.service import ExchangeService
from liaison.kit import clock
from liaison.kit.errors import Forbidden, PolicyBlocked
from liaison.kit.inputs import IdPath, QueryText
from liaison.models import Attachment, AttachmentTransfer, Case, Message
from liaison.policy.schemas import HandlingCode, Tlp
from liaison.users.deps import CallerDep

router = APIRouter(prefix="/api/v1/exchange", tags=["exchange"])
CHUNK = 64 * 1024


def _refusal(request: Request, exc: PolicyBlocked | Forbidden) -> Response:
    extensions = {"rules": [vars(r) for r in exc.rules]} if isinstance(exc, PolicyBlocked) else {}
    return problem(
        request, exc.status, exc.code, exc.title, exc.detail, exc.errors, extensions=extensions
    )


def _answer(
    request: Request,
    send: Callable[[], Message],
    svc: ExchangeService,
    attachment_ids: Sequence[str] = (),
) -> Response:
    """The sent message (201), or the refusal; ``attachment_ids``: the uploads sent
    with it (none: the new message has no attachments, so none are read back)."""
    try:
        message = send()
    except (PolicyBlocked, Forbidden) as exc:  # answered, not raised: the audit row commits
        return _refusal(request, exc)
    attachments = svc.repo.attachments_of([message.id]) if attachment_ids else []
    out = message_out(message, attachments)
    return Response(out.model_dump_json(), status_code=201, media_type="application/json")


def message_out(
    message: Message,
    attachments: list[Attachment],
    transfers: Sequence[AttachmentTransfer] = (),
) -> MessageOut:
    out = MessageOut.model_validate(message)
    out.attachments = [
        AttachmentOut.model_validate(a) for a in attachments if a.message_id == message.id
    ]
    out.incoming_attachments = [
        IncomingAttachmentOut.model_validate(t) for t in transfers if t.message_id == message.id
    ]
    return out


def inbox_item(message: Message, case: Case, state: str) -> InboxItem:
    fields = {k: getattr(message, k) for k in InboxItem.model_fields if hasattr(message, k)}
    return InboxItem.model_validate(
        {**fields, "case_reference": case.reference, "case_kind": case.kind, "due_state": state}
    )


def case_detail(thread: Thread) -> CaseDetail:
    base = CaseOut.model_validate(thread.case).model_dump()
    return CaseDetail(
        **base,
        messages=[message_out(m, thread.attachments, thread.transfers) for m in thread.messages],
        notes=[NoteOut.model_validate(n) for n in thread.notes],
        clarifications=[ClarificationOut.model_validate(c) for c in thread.clarifications],
        recipients=recipient_statuses(thread.messages),
    )


@router.get("/inbox", response_model=InboxPage)
def inbox(
    db: DbDep,
    caller: CallerDep,
    settings: SettingsDep,
    status_: Annotated[MessageStatus | None, Query(alias="status")] = None,
    priority: Priority | None = None,
    direction: Annotated[str | None, Query(pattern=r"^(in|out|local)?$")] = None,
    due: bool = False,
    overdue: bool = False,
    search: Annotated[QueryText | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[QueryText | None, Query(max_length=200)] = None,
) -> InboxPage:
    """Messages newest first; filters; keyset paging with ``next_cursor``."""
    svc = ExchangeService(db, caller, settings)
    flt = InboxFilter(
        status=status_.value if status_ else None,
        priority=priority.value if priority else None,
        direction=direction or None,
        due=due,
        overdue=overdue,
        search=search or None,
        limit=limit,
        cursor=cursor or None,
    )
    return inbox_page(svc, flt)


def inbox_page(svc: ExchangeService, flt: InboxFilter) -> InboxPage:
    """One page of the caller's inbox, each item with its deadline state (API and web)."""
    rows, following = svc.repo.inbox(flt)
    now = clock.now()
    fraction = svc.settings.exchange_due_soon_fraction
    items = [inbox_item(m, c, due_state(m, now, fraction)) for m, c in rows]
    return InboxPage(items=items, next_cursor=following)


@router.get("/cases", response_model=list[CaseOut])
def list_cases(
    db: DbDep,
    caller: CallerDep,
    settings: SettingsDep,
    status_: Annotated[str | None, Query(alias="status", pattern=r"^(open|closed)?$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[CaseOut]:
    svc = ExchangeService(db, caller, settings)
    query = svc.repo.cases_query()
    if status_:
        query = query.where(Case.status == status_)
    rows = db.scalars(query.order_by(Case.updated_at.desc(), Case.id.desc()).limit(limit))
    return [CaseOut.model_validate(c) for c in svc.repo.case_views(list(rows))]


@router.post("/cases", status_code=status.HTTP_201_CREATED, response_model=MessageOut)
def compose(
    data: ComposeIn, request: Request, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> Response:
    """Open a case with its first message (request, disclosure or alert) and send it."""
    svc = ExchangeService(db, caller, settings)
    return _answer(request, lambda: svc.compose(data), svc, data.attachment_ids)


@router.get("/cases/{case_id}", response_model=CaseDetail)
def show_case(case_id: IdPath, db: DbDep, caller: CallerDep, settings: SettingsDep) -> CaseDetail:
    return case_detail(ExchangeService(db, caller, settings).thread(case_id))


@router.post("/cases/{case_id}/assign", response_model=CaseOut)
def assign(
    case_id: IdPath, data: AssignIn, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> CaseOut:
    svc = ExchangeService(db, caller, settings)
    return CaseOut.model_validate(svc.repo.case_view(svc.assign(case_id, data.username)))


@router.post("/cases/{case_id}/notes", response_model=NoteOut, status_code=201)
def add_note(
    case_id: IdPath, data: NoteIn, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> NoteOut:
    """An internal note: stays on this node."""
    return NoteOut.model_validate(
        ExchangeService(db, caller, settings).add_note(case_id, data.text)
    )


@router.post("/cases/{case_id}/close", response_model=CaseOut)
def close_case(case_id: IdPath, db: DbDep, caller: CallerDep, settings: SettingsDep) -> CaseOut:
    svc = ExchangeService(db, caller, settings)
    return CaseOut.model_validate(svc.repo.case_view(svc.set_case_status(case_id, "closed")))


@router.get("/messages/{message_id}", response_model=MessageOut)
def show_message(
    message_id: IdPath, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> MessageOut:
    svc = ExchangeService(db, caller, settings)
    message = svc.read_message(message_id)
    ids = [message.id]
    return message_out(message, svc.repo.attachments_of(ids), svc.repo.transfers_of(ids))


@router.post("/messages/{message_id}/reply", status_code=201, response_model=MessageOut)
def reply(
    message_id: IdPath,
    data: ReplyIn,
    request: Request,
    db: DbDep,
    caller: CallerDep,
    settings: SettingsDep,
) -> Response:
    """Reply (answered / partial / refused with a reason code), acknowledge or follow up."""
    svc = ExchangeService(db, caller, settings)
    return _answer(request, lambda: svc.reply(message_id, data), svc, data.attachment_ids)


@router.post("/messages/{message_id}/forward", status_code=201, response_model=MessageOut)
def forward(
    message_id: IdPath,
    data: ForwardIn,
    request: Request,
    db: DbDep,
    caller: CallerDep,
    settings: SettingsDep,
) -> Response:
    """Pass on to another agency; TLP:RED and AMBER+STRICT are enforced (403, audited)."""
    svc = ExchangeService(db, caller, settings)
    return _answer(request, lambda: svc.forward(message_id, data), svc)


@router.post(
    "/messages/{message_id}/clarification", response_model=ClarificationOut, status_code=201
)
def ask_clarification(
    message_id: IdPath, data: ClarificationIn, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> ClarificationOut:
    """Ask the requester to clarify; pauses the request's deadline clock."""
    svc = ExchangeService(db, caller, settings)
    return ClarificationOut.model_validate(svc.ask_clarification(message_id, data.question))


@router.post("/clarifications/{clarification_id}/answer", response_model=ClarificationOut)
def answer_clarification(
    clarification_id: IdPath,
    data: ClarificationAnswerIn,
    db: DbDep,
    caller: CallerDep,
    settings: SettingsDep,
) -> ClarificationOut:
    """Record an answer received outside Liaison; resumes the clock."""
    svc = ExchangeService(db, caller, settings)
    return ClarificationOut.model_validate(svc.answer_clarification(clarification_id, data.answer))


@router.get("/deconflict", response_model=list[DeconflictHit])
def deconflict(
    db: DbDep,
    caller: CallerDep,
    settings: SettingsDep,
    keys: Annotated[list[QueryText], Query(max_length=200)],
) -> list[DeconflictHit]:
    """Open cases on this node (own and peer-shared) mentioning any of these entity keys."""
    return ExchangeService(db, caller, settings).deconflict(keys)


@router.post("/deconflict", response_model=list[DeconflictHit])
def deconflict_draft(
    data: DeconflictIn, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> list[DeconflictHit]:
    """The same for the entities of a draft, before it is sent."""
    return ExchangeService(db, caller, settings).deconflict(data.keys, data.entities)


async def _chunks(upload: UploadFile) -> AsyncIterator[bytes]:
    while chunk := await upload.read(CHUNK):
        yield chunk


@router.post("/attachments", response_model=AttachmentOut, status_code=201)
async def upload_attachment(
    db: DbDep,
    caller: CallerDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="the file; executables are refused")],
    tlp: Annotated[Tlp, Form()] = Tlp.AMBER,
    handling_code: Annotated[HandlingCode, Form()] = HandlingCode.INTELLIGENCE_ONLY,
) -> AttachmentOut:
    """Upload (multipart) before sending; pass the id in ``attachment_ids``."""
    svc = ExchangeService(db, caller, settings)
    svc.check_may_send()
    blob = await store_stream(
        settings,
        _chunks(file),
        filename=file.filename or "attachment",
        max_bytes=settings.exchange_max_attachment_bytes,
    )
    attachment = svc.add_attachment(blob, Markings(tlp=tlp, handling_code=handling_code))
    return AttachmentOut.model_validate(attachment)


@router.get("/attachments/{attachment_id}/content")
def download_attachment(
    attachment_id: IdPath, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> StreamingResponse:
    """Streams the decrypted file after the marking check; the SHA-256 is in a header."""
    attachment = ExchangeService(db, caller, settings).attachment_for_download(attachment_id)
    chunks: Iterator[bytes] = read_blob(settings, attachment.blob_id)
    return StreamingResponse(
        chunks,
        media_type=attachment.mime,
        headers={
            "Content-Disposition": f'attachment; filename="{_safe(attachment.filename)}"',
            "X-Content-SHA256": attachment.sha256,
            "X-TLP": attachment.tlp,
        },
    )


def _safe(filename: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in filename)[:200]
