"""Workplan pages: dashboard, current plan, history and diffs, consent flow, dialogue, report.

Rules live in WorkplanService; a refused form shows the error page naming the field.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from liaison.api.deps import DbDep, RegistryDep, SettingsDep
from liaison.kit.errors import LiaisonError, NotFound, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.inputs import IdPath
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.kit.validation import invalid_message
from liaison.models import DialogueOutcome
from liaison.web import i18n
from liaison.web.views import workplan_forms
from liaison.web.views.common import (
    CsrfFormDep,
    PageCallerDep,
    choices,
    form_text,
    redirect_after_post,
    render,
)
from liaison.web.views.forms import FormState
from liaison.workplan import versions
from liaison.workplan.charts import milestone_chart, status_chart
from liaison.workplan.dashboard import build_dashboard
from liaison.workplan.document import diff, parse
from liaison.workplan.endpoints import version_out
from liaison.workplan.report import MEDIA_TYPES, build_for, render_report
from liaison.workplan.repository import WorkplanRepository
from liaison.workplan.schemas import (
    AddAction,
    CounterCreate,
    ProgressCreate,
    ProposalCreate,
    ProposalOut,
    RejectCreate,
    Status,
)
from liaison.workplan.service import DECIDERS, REPORTERS, WorkplanService

router = APIRouter(prefix="/workplan", include_in_schema=False)


def may_decide(caller: Caller) -> bool:
    return caller.role in DECIDERS


@router.get("")
def dashboard(
    request: Request, db: DbDep, caller: PageCallerDep, registry: RegistryDep
) -> Response:
    figures = build_dashboard(db, registry.figure("exchange"))
    open_obligations = registry.figure("obligations")
    return render(
        request,
        "workplan/dashboard.html",
        caller=caller,
        d=figures,
        obligations=open_obligations(db) if open_obligations else None,
        status_svg=status_chart(figures.areas),
        milestone_svg=milestone_chart(figures.areas),
    )


@router.get("/report")
def report(
    request: Request,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    registry: RegistryDep,
    format: Literal["html", "pdf", "md"] = "pdf",
    internal: bool = False,
) -> Response:
    data = build_for(db, settings.party, registry, internal=internal)
    kind = "internal" if internal else "joint"
    name = f"workplan-{kind}-report-{data.generated_on.isoformat()}.{format}"
    # The HTML and PDF versions in the reader's language (Markdown stays English).
    speaking = i18n.CURRENT.set(i18n.choose(request, caller.language))
    try:
        body = render_report(data, format)
    finally:
        i18n.CURRENT.reset(speaking)
    return Response(
        body,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/plan")
def plan(request: Request, db: DbDep, caller: PageCallerDep, settings: SettingsDep) -> Response:
    repo = WorkplanRepository(db, caller)
    current = versions.current_or_fail(repo)
    return render(
        request,
        "workplan/plan.html",
        caller=caller,
        v=version_out(repo, settings.party, current.number),
        tracked=dict(repo.tracked_statuses()),
    )


@router.get("/versions")
def history(request: Request, db: DbDep, caller: PageCallerDep) -> Response:
    found = WorkplanRepository(db, caller).versions()
    return render(request, "workplan/versions.html", caller=caller, versions=found)


@router.get("/versions/{number}")
def version_page(
    request: Request,
    number: Annotated[int, Path(ge=1, le=1_000_000)],
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
) -> Response:
    service = WorkplanService(db, caller, settings)
    new = service.get_version(number)
    changes = (
        diff(parse(service.get_version(number - 1).document), parse(new.document))
        if number > 1
        else []
    )
    return render(
        request,
        "workplan/version.html",
        caller=caller,
        v=version_out(service.repo, settings.party, number),
        changes=changes,
    )


@router.get("/proposals")
def proposals(
    request: Request,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    created: Annotated[str | None, Query(max_length=36)] = None,
) -> Response:
    return _proposals_page(request, db, caller, created=created)


def _proposals_page(
    request: Request,
    db: Session,
    caller: Caller,
    *,
    created: str | None = None,
    form: FormState | None = None,
) -> Response:
    repo = WorkplanRepository(db, caller)
    current = versions.current_or_fail(repo)
    document = parse(current.document)
    return render(
        request,
        "workplan/proposals.html",
        caller=caller,
        status=form.status if form else 200,
        proposals=[ProposalOut.model_validate(p) for p in repo.proposals()],
        current=current,
        plan=document,
        agencies={p: sorted(a) for p, a in repo.known_agencies(document.parties).items()},
        may_decide=may_decide(caller),
        prefill=None,
        created=created,
        form=form or FormState(),
    )


M = TypeVar("M", bound=BaseModel)


def _parse(model: type[M], data: dict[str, Any]) -> M:
    """Form input through the API's schema; a refusal names the field, as the API does."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "input"
        raise ValidationFailed.on_field(field, invalid_message(first)) from None


def _action_change(form: FormData, parties: list[str]) -> list[dict[str, Any]]:
    milestones = []
    if form_text(form, "milestone_title") or form_text(form, "milestone_due"):
        milestones.append(
            {"title": form_text(form, "milestone_title"), "due": form_text(form, "milestone_due")}
        )
    deliverable = form_text(form, "deliverable")
    action = {
        "area": form_text(form, "area"),
        "description": form_text(form, "description"),
        "leads": {p: form_text(form, f"lead_{p}") for p in parties},
        "deliverables": [deliverable] if deliverable else [],
        "milestones": milestones,
    }
    return [{"op": "add_action", "action": action}]


@router.post("/proposals")
def propose(
    request: Request, db: DbDep, caller: PageCallerDep, settings: SettingsDep, form: CsrfFormDep
) -> Response:
    service = WorkplanService(db, caller, settings)
    current = versions.current_or_fail(service.repo)
    parties = parse(current.document).parties
    savepoint = db.begin_nested()
    try:
        data = ProposalCreate.model_validate(
            {
                "base_version": form_text(form, "base_version") or current.number,
                "changes": _action_change(form, parties),
                "note": form_text(form, "note"),
            }
        )
        proposal = service.propose(data)
    except (ValidationError, LiaisonError) as exc:
        savepoint.rollback()
        again = workplan_forms.refusal(exc, workplan_forms.typed(form, parties))
        if again is None:
            raise
        return _proposals_page(request, db, caller, form=again)
    savepoint.commit()
    return redirect_after_post(request, f"/workplan/proposals/{proposal.id}")


@router.get("/proposals/{proposal_id}")
def proposal_page(
    request: Request, proposal_id: IdPath, db: DbDep, caller: PageCallerDep, settings: SettingsDep
) -> Response:
    service = WorkplanService(db, caller, settings)
    proposal = ProposalOut.model_validate(service.get_proposal(proposal_id))
    current = versions.current_or_fail(service.repo)
    document = parse(current.document)
    prefill = next((c.action for c in proposal.changes if isinstance(c, AddAction)), None)
    return render(
        request,
        "workplan/proposal.html",
        caller=caller,
        p=proposal,
        plan=document,
        current=current,
        agencies={p: sorted(a) for p, a in service.repo.known_agencies(document.parties).items()},
        may_answer=may_decide(caller)
        and proposal.status == "open"
        and proposal.proposer_party != settings.party,
        prefill=prefill,
    )


@router.post("/proposals/{proposal_id}/accept")
def accept(
    request: Request,
    proposal_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    WorkplanService(db, caller, settings).accept(proposal_id)
    return redirect_after_post(request, f"/workplan/proposals/{proposal_id}")


@router.post("/proposals/{proposal_id}/reject")
def reject(
    request: Request,
    proposal_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    data = _parse(RejectCreate, {"reason": form_text(form, "reason")})
    WorkplanService(db, caller, settings).reject(proposal_id, data)
    return redirect_after_post(request, f"/workplan/proposals/{proposal_id}")


@router.post("/proposals/{proposal_id}/counter")
def counter(
    request: Request,
    proposal_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    service = WorkplanService(db, caller, settings)
    parties = parse(versions.current_or_fail(service.repo).document).parties
    data = _parse(
        CounterCreate,
        {"changes": _action_change(form, parties), "note": form_text(form, "note")},
    )
    created = service.counter(proposal_id, data)
    return redirect_after_post(request, f"/workplan/proposals/{created.id}")


@router.get("/actions/{action_id}")
def action_page(request: Request, action_id: IdPath, db: DbDep, caller: PageCallerDep) -> Response:
    repo = WorkplanRepository(db, caller)
    action = repo.action(action_id)
    if action is None:
        raise NotFound(
            Text(N_("no action %(action_id)s in the current workplan"), action_id=action_id)
        )
    return render(
        request,
        "workplan/action.html",
        caller=caller,
        action=action,
        updates=repo.progress_for(action_id),
        statuses=choices(Status),
        may_report=caller.role in REPORTERS,
    )


@router.post("/actions/{action_id}/progress")
def report_progress(
    request: Request,
    action_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    settings: SettingsDep,
    form: CsrfFormDep,
) -> Response:
    evidence = form_text(form, "evidence_ref")
    data = _parse(
        ProgressCreate,
        {
            "note": form_text(form, "note"),
            "status": form_text(form, "status") or None,
            "evidence": [{"kind": form_text(form, "evidence_kind") or "document", "ref": evidence}]
            if evidence
            else [],
            "shareable": form_text(form, "shareable") == "yes",
        },
    )
    WorkplanService(db, caller, settings).report_progress(action_id, data)
    return redirect_after_post(request, f"/workplan/actions/{action_id}")


@router.get("/dialogue")
def dialogue(request: Request, db: DbDep, caller: PageCallerDep) -> Response:
    repo = WorkplanRepository(db, caller)
    outcomes: dict[str, list[DialogueOutcome]] = {}
    for outcome in repo.outcomes():
        outcomes.setdefault(outcome.meeting_id, []).append(outcome)
    linked = {i for found in outcomes.values() for o in found for i in o.action_ids}
    return render(
        request,
        "workplan/dialogue.html",
        caller=caller,
        meetings=repo.meetings(),
        outcomes=outcomes,
        actions=repo.actions(linked),
    )
