"""The compose page: a new request, disclosure or alert with its markings, entities,
attachments, a deconfliction panel and the policy decision before anything is sent.

One form, three buttons: "Check for duplicates and policy" re-renders the form with
both panels (htmx swaps the form in place), "Add an entity row" adds a row, "Send"
sends. Without JavaScript each is a plain POST that re-renders the page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from liaison.api.deps import DbDep, SettingsDep
from liaison.config import Settings
from liaison.exchange.attachments import delete_blob, store_file
from liaison.exchange.markings import compose_subject
from liaison.exchange.schemas import (
    CaseKind,
    DeconflictHit,
    LegalBasis,
    Markings,
    MessageType,
    Priority,
)
from liaison.exchange.service import ExchangeService
from liaison.kit.errors import Forbidden, LiaisonError, PolicyBlocked, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.models import Attachment, Message
from liaison.policy import service as policy
from liaison.policy import vocab
from liaison.policy.schemas import Decision, HandlingCode, ProtectionStatus, Tlp
from liaison.web.views import once
from liaison.web.views.common import (
    CsrfFormDep,
    PageCallerDep,
    choices,
    form_list,
    redirect_after_post,
    render,
)
from liaison.web.views.exchange_forms import (
    COMPOSE_FIELDS,
    COMPOSE_LISTS,
    ENTITY_KINDS,
    ENTITY_LISTS,
    SendForm,
    attempt_send,
    compose_data,
    entity_rows,
    parse_entities,
)
from liaison.web.views.forms import FormState, FormValues, read_values
from liaison.web.views.policy import offence_options

router = APIRouter(prefix="/exchange", include_in_schema=False)
MAX_UPLOADS = 5
DEFAULTS: FormValues = {
    "type": "request",
    "priority": "normal",
    "tlp": "AMBER",
    "handling_code": "intelligence_only",
    "legal_basis": "police_cooperation",
}


def _page(
    request: Request,
    db: Session,
    caller: Caller,
    settings: Settings,
    form: FormState,
    *,
    rows: int = 1,
    hits: list[DeconflictHit] | None = None,
    decision: Decision | None = None,
    checked: bool = False,
    submitted: FormData | None = None,
) -> Response:
    repo = ExchangeService(db, caller, settings).repo
    own = repo.agencies_of(settings.party, own=True)
    peer = repo.agencies_of(settings.party, own=False)
    context: dict[str, Any] = {
        "form": form,
        "rules": form.rules if isinstance(form, SendForm) else [],
        "rows": entity_rows(form.values, blank=rows),
        "entity_kinds": ENTITY_KINDS,
        "types": choices([MessageType.REQUEST, MessageType.DISCLOSURE, MessageType.ALERT]),
        "case_kinds": choices(CaseKind),
        "priorities": choices(Priority),
        "tlps": [(t.value, f"TLP:{t.value}") for t in Tlp],
        "handling_codes": choices(HandlingCode),
        "bases": choices(LegalBasis),
        "grades": [(g, g) for g in "ABCDEF"],
        "credibilities": [(str(n), str(n)) for n in range(1, 7)],
        "offence_options": offence_options(),
        "protection_options": [(p.value, p.value.replace("_", " ")) for p in ProtectionStatus],
        "activity_options": [(b, b.replace("_", " ")) for b in sorted(vocab.ACTIVITY_BASES)],
        "from_agencies": [(a.id, f"{a.acronym} — {a.name}") for a in own],
        "to_agencies": [(a.id, f"{a.acronym} — {a.name} ({a.party_code})") for a in peer],
        "recipient_options": [(a.id, f"{a.acronym} ({a.party_code})") for a in [*own, *peer]],
        "also_to_options": [(a.id, f"{a.acronym} ({a.party_code})") for a in peer],
        "multilateral": len({a.party_code for a in peer}) > 1,  # peers at several parties
        "attachments": repo.unsent_attachments(form.selected("attachment_ids")),
        "hits": hits or [],
        "decision": decision,
        "checked": checked,
        "submit_token": once.token_for(submitted),
    }
    return render(request, "exchange/compose.html", caller=caller, status=form.status, **context)


@router.get("/compose")
def compose_page(
    request: Request, db: DbDep, caller: PageCallerDep, settings: SettingsDep
) -> Response:
    values: FormValues = dict(DEFAULTS) | {"from_agency_id": caller.agency_id}
    # A draft pre-filled by a link (a hit/no-hit follow-up): known fields only.
    query = request.query_params
    values |= {name: query[name] for name in COMPOSE_FIELDS if query.get(name)}
    values |= {name: query.getlist(name) for name in ENTITY_LISTS if query.getlist(name)}
    return _page(request, db, caller, settings, FormState(values=values))


def _uploads(form: FormData) -> list[UploadFile]:
    files = [f for f in form.getlist("attachment") if isinstance(f, UploadFile) and f.filename]
    if len(files) > MAX_UPLOADS:
        raise ValidationFailed.on_field(
            "attachment", Text(N_("attach at most %(MAX_UPLOADS)s files"), MAX_UPLOADS=MAX_UPLOADS)
        )
    return files


def _store_uploads(
    svc: ExchangeService, settings: Settings, files: list[UploadFile], markings: Markings
) -> list[Attachment]:
    """Store each upload (streamed, sniffed, encrypted) and record it as unsent."""
    rows = []
    for upload in files:
        blob = store_file(
            settings,
            upload.file,
            filename=upload.filename or "attachment",
            max_bytes=settings.exchange_max_attachment_bytes,
        )
        rows.append(svc.add_attachment(blob, markings))
    return rows


def _check(
    request: Request,
    db: Session,
    caller: Caller,
    settings: Settings,
    values: FormValues,
    submitted: FormData,
) -> Response:
    """Deconfliction on the valid entities and the policy decision if the draft is complete."""
    svc = ExchangeService(db, caller, settings)
    entities, errors = parse_entities(values)
    hits = svc.deconflict([], entities)
    decision = None
    try:
        data = compose_data(values, entities)
    except ValidationFailed as exc:
        errors += exc.errors
    else:
        recipient = svc.repo.agency(data.to_agency_id)
        if recipient is not None:
            decision = policy.explain(
                db, compose_subject(data, settings.party, recipient.party_code)
            )
    form = FormState(values=values, errors={e.field: e.message for e in errors})
    return _page(
        request,
        db,
        caller,
        settings,
        form,
        hits=hits,
        decision=decision,
        checked=True,
        submitted=submitted,
    )


@router.post("/compose")
def compose(
    request: Request,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    values = read_values(form, COMPOSE_FIELDS, COMPOSE_LISTS)
    action = form.get("action")
    if action == "add_row":
        return _page(
            request, db, caller, settings, FormState(values=values), rows=2, submitted=form
        )
    if action == "check":
        return _check(request, db, caller, settings, values, form)
    svc = ExchangeService(db, caller, settings)
    guard = once.Guard(db, caller, form, "/exchange/compose")

    def send() -> Message:
        svc.check_may_send()
        entities, errors = parse_entities(values)
        files = _uploads(form)
        try:
            data = compose_data(values, entities)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.detail, errors=[*errors, *exc.errors]) from None
        if errors:
            raise ValidationFailed(N_("an entity is not valid"), errors=errors)
        stored = _store_uploads(svc, settings, files, data.markings)
        data.attachment_ids = [*data.attachment_ids, *(a.id for a in stored)]
        values["attachment_ids"] = list(data.attachment_ids)
        try:
            return svc.compose(data)
        except (PolicyBlocked, Forbidden):
            raise  # the uploads stay, unsent, for the corrected draft
        except LiaisonError:
            for attachment in stored:  # their rows roll back with the form's errors
                delete_blob(settings, attachment.blob_id)
            raise

    submitted = list(form_list(form, "attachment_ids"))
    try:
        result = attempt_send(db, values, guard.wrap(send))
    except once.AlreadySubmitted as first:  # a double click: show what the first one did
        return redirect_after_post(request, first.location)
    if isinstance(result, SendForm):
        guard.release()
        if result.status != 403:
            values["attachment_ids"] = submitted  # new uploads were rolled back with the errors
        return _page(request, db, caller, settings, result, submitted=form)
    location = f"/exchange/cases/{result.case_id}?sent={result.id}"
    guard.done(location)
    return redirect_after_post(request, location)
