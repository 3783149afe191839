"""Policy pages: try a draft against the rules (/policy/explain) and the rule packs.

The decision panel (``policy/_explain_panel.html``) renders any ``Decision``; other
pages (e.g. the exchange compose page) include it with ``decision`` in context.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from liaison.api.deps import DbDep
from liaison.directory.parties import other_parties
from liaison.kit.errors import Forbidden
from liaison.kit.inputs import IdPath
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.policy import service, store, vocab
from liaison.policy.endpoints import SubjectDraft
from liaison.policy.review import actor_of
from liaison.policy.schemas import Direction, HandlingCode, ItemKind, ProtectionStatus, Tlp
from liaison.web.views.common import (
    CsrfFormDep,
    PageCallerDep,
    choices,
    redirect_after_post,
    render,
)
from liaison.web.views.forms import FormState, FormValues, attempt, read_values

router = APIRouter(prefix="/policy", include_in_schema=False)

TEXT_FIELDS = (
    "direction",
    "kind",
    "sender_party",
    "recipient_party",
    "originator_party",
    "message_type",
    "tlp",
    "handling_code",
    "legal_basis",
    "legal_basis_reference",
    "mlat_reference",
    "purpose",
    "death_penalty_assurance",
    "mistreatment_determination",
    "protection_status",
    "feared_country",
    "onward_recipient_party",
    "incident_detected_at",
)
FLAGS = ("contains_personal_data", "mistreatment_risk", "originator_consent", "cyber_incident")
LISTS = ("offences", "activity_basis", "flags")
OFFENCES = tuple(vocab.OFFENCES)
BASES = tuple(sorted(vocab.ACTIVITY_BASES))


def offence_options() -> list[tuple[str, str]]:
    """The offence taxonomy as choices: label and the statutes, per party."""
    return [
        (o.code, f"{o.label} ({'; '.join(f'{p}: {s}' for p, s in o.statutes.items())})")
        for o in vocab.OFFENCES.values()
    ]


DEFAULTS: FormValues = {
    "direction": "outbound",
    "kind": "message",
    "message_type": "disclosure",
    "tlp": "AMBER",
    "handling_code": "intelligence_only",
    "protection_status": "none",
}


def _options() -> dict[str, Any]:
    return {
        "directions": choices(Direction),
        "kinds": choices(ItemKind),
        "tlps": [(t.value, t.value) for t in Tlp],
        "handling_codes": choices(HandlingCode),
        "protection_statuses": choices(ProtectionStatus),
        "offence_options": offence_options(),
        "basis_options": [(b, b.replace("_", " ")) for b in BASES],
        "flag_options": [(f, f.replace("_", " ").capitalize()) for f in FLAGS],
    }


def draft_from(values: FormValues) -> SubjectDraft:
    data: dict[str, Any] = {k: (v or None) for k, v in values.items() if k not in LISTS}
    data["offences"] = values.get("offences", [])
    data["activity_basis"] = values.get("activity_basis", [])
    for flag in FLAGS:
        data[flag] = flag in values.get("flags", [])
    data["protection_status"] = data["protection_status"] or "none"
    return SubjectDraft.model_validate(data)


def _explain_page(
    request: Request, caller: Caller, form: FormState, decision: Any = None
) -> Response:
    return render(
        request,
        "policy/explain.html",
        caller=caller,
        form=form,
        decision=decision,
        status=form.status,
        **_options(),
    )


def defaults(db: Session, caller: Caller) -> FormValues:
    """A draft from the caller's party to the first other party in the directory."""
    others = other_parties(db, caller.party_code)
    return DEFAULTS | {
        "sender_party": caller.party_code,
        "originator_party": caller.party_code,
        "recipient_party": others[0] if others else "",
    }


@router.get("/explain")
def explain_page(request: Request, db: DbDep, caller: PageCallerDep) -> Response:
    return _explain_page(request, caller, FormState(values=defaults(db, caller)))


@router.post("/explain")
def explain_draft(
    request: Request, db: DbDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    values = read_values(form, TEXT_FIELDS, LISTS)
    result = attempt(db, values, lambda: service.explain(db, draft_from(values)))
    if isinstance(result, FormState):
        return _explain_page(request, caller, result)
    return _explain_page(request, caller, FormState(values=values), result)


def _packs_page(request: Request, db: Session, caller: Caller, form: FormState) -> Response:
    engine = store.active_engine(db)
    return render(
        request,
        "policy/packs.html",
        caller=caller,
        packs=store.list_packs(db),
        active=engine.packs,
        form=form,
        status=form.status,
    )


@router.get("/packs")
def packs_page(request: Request, db: DbDep, caller: PageCallerDep) -> Response:
    return _packs_page(request, db, caller, FormState())


def _admin(caller: Caller) -> None:
    if not caller.is_admin:
        raise Forbidden(N_("only an administrator manages rule packs"))


@router.post("/packs")
def upload_pack(request: Request, db: DbDep, caller: PageCallerDep, form: CsrfFormDep) -> Response:
    _admin(caller)
    values = read_values(form, ("source",))
    source = str(values["source"])
    result = attempt(db, values, lambda: store.load_pack(db, source, actor=actor_of(caller)))
    if isinstance(result, FormState):
        return _packs_page(request, db, caller, result)
    return redirect_after_post(request, "/policy/packs")


@router.post("/packs/{pack_id}/activate")
def activate_pack(
    pack_id: IdPath, request: Request, db: DbDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    _admin(caller)
    result = attempt(db, {}, lambda: store.activate(db, pack_id, actor=actor_of(caller)))
    if isinstance(result, FormState):
        return _packs_page(request, db, caller, result)
    return redirect_after_post(request, "/policy/packs")
