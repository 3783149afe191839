"""The legal review queue page: held items with their rules, and the decision forms."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from liaison.api.deps import DbDep, RegistryDep, SettingsDep, get_registry
from liaison.directory.parties import other_parties
from liaison.kit.inputs import IdPath
from liaison.kit.roles import Caller
from liaison.models.policy import ReviewItem
from liaison.policy import review, vocab
from liaison.policy.review_schemas import AssuranceCreate, ReviewDecisionIn, ReviewStatus
from liaison.policy.schemas import Decision
from liaison.web.views.common import CsrfFormDep, PageCallerDep, redirect_after_post, render
from liaison.web.views.forms import FormState, attempt, read_values

router = APIRouter(prefix="/policy/reviews", include_in_schema=False)
DECIDE_FIELDS = ("status", "reasons", "conditions", "assurance_reference")
ASSURANCE_FIELDS = (
    "reference",
    "kind",
    "party",
    "given_by",
    "given_on",
    "expires_on",
    "scope",
    "scope_value",
    "text",
)
DECISIONS = [(s.value, s.value.replace("_", " ").capitalize()) for s in ReviewStatus][1:]


def _case_reference(item: ReviewItem) -> str | None:
    subject = review.subject_of(item)
    return subject.case_reference if subject else None


def _assurer(db: Session, own_party: str) -> str:
    """The first other party in the directory whose law provides the death penalty (the
    party that gives a death-penalty assurance), else none."""
    capital = [p for p in other_parties(db, own_party) if p in vocab.DEATH_PENALTY]
    return capital[0] if capital else ""


def _page(
    request: Request,
    db: Session,
    caller: Caller,
    *,
    show: ReviewStatus | None,
    forms: dict[str, FormState] | None = None,
    assurance_form: FormState | None = None,
    status: int = 200,
) -> Response:
    items = review.list_reviews(db, caller, status=show)
    registry = get_registry(request)
    return render(
        request,
        "policy/reviews.html",
        caller=caller,
        items=[(item, Decision.model_validate(item.decision)) for item in items],
        titles={
            item.id: (registry.review_label(item.object_type), _case_reference(item))
            for item in items
        },
        offers={
            item.id: [
                (a.reference, f"{a.reference} ({a.party}, covers {a.scope} {a.scope_value})")
                for a in review.offered_assurances(db, item)
            ]
            for item in items
            if item.status == ReviewStatus.HELD.value
        },
        needs_assurance={item.id for item in items if review.needs_assurance(item)},
        show=show.value if show else "",
        forms=forms or {},
        blank=FormState(),
        decisions=DECISIONS,
        may_decide=caller.role in review.REVIEWERS,
        may_record=caller.role in review.QUEUE_READERS,
        assurances=review.list_assurances(db, limit=20),
        assurance_form=assurance_form
        or FormState(
            values={
                "kind": "death_penalty",
                "party": _assurer(db, caller.party_code),
                "scope": "any",
            }
        ),
        status=status,
    )


@router.get("")
def reviews_page(
    request: Request,
    db: DbDep,
    caller: PageCallerDep,
    show: Annotated[ReviewStatus | None, Query(alias="status")] = ReviewStatus.HELD,
) -> Response:
    return _page(request, db, caller, show=show)


@router.post("/{review_id}/decide")
def decide(
    review_id: IdPath,
    request: Request,
    db: DbDep,
    caller: PageCallerDep,
    form: CsrfFormDep,
    settings: SettingsDep,
    registry: RegistryDep,
) -> Response:
    values = read_values(form, DECIDE_FIELDS)
    conditions = str(values["conditions"]).splitlines()

    def act() -> object:
        data = ReviewDecisionIn.model_validate(
            {
                "status": values["status"],
                "reasons": values["reasons"],
                "conditions": conditions,
                "assurance_reference": values["assurance_reference"] or None,
            }
        )
        return review.decide(db, caller, review_id, data, settings=settings, registry=registry)

    result = attempt(db, values, act)
    if isinstance(result, FormState):
        forms = {review_id: result}
        return _page(request, db, caller, show=ReviewStatus.HELD, forms=forms, status=result.status)
    return redirect_after_post(request, f"/policy/reviews?status={values['status']}")


@router.post("/assurances")
def record_assurance(
    request: Request, db: DbDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    values = read_values(form, ASSURANCE_FIELDS)

    def act() -> object:
        filled = {name: value for name, value in values.items() if value != ""}
        return review.record_assurance(db, caller, AssuranceCreate.model_validate(filled))

    result = attempt(db, values, act)
    if isinstance(result, FormState):
        return _page(
            request, db, caller, show=ReviewStatus.HELD, assurance_form=result, status=result.status
        )
    return redirect_after_post(request, "/policy/reviews")
