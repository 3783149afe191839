"""Policy API under /api/v1/policy: explain, rule packs, legal review queue, assurances."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from liaison.api.deps import DbDep, RegistryDep, SettingsDep
from liaison.api.problems import problem
from liaison.kit.errors import Forbidden, PolicyBlocked
from liaison.kit.inputs import IdPath
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.policy import review, service, store
from liaison.policy.review_schemas import (
    AssuranceCreate,
    AssuranceOut,
    PackDetail,
    PackOut,
    PackUpload,
    ReviewDecisionIn,
    ReviewOut,
    ReviewStatus,
)
from liaison.policy.schemas import Decision, PolicySubject
from liaison.users.deps import CallerDep

router = APIRouter(prefix="/api/v1/policy", tags=["policy"])


class SubjectDraft(PolicySubject):
    """A draft item to explain: a PolicySubject; unknown fields are refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DecisionRequest(BaseModel):
    """Record the policy decision for an item moved outside Liaison (e.g. by phone)."""

    model_config = ConfigDict(extra="forbid")

    object_type: str = Field(min_length=3, max_length=100, pattern=r"^[a-z_]+(\.[a-z_]+)*$")
    object_id: str = Field(min_length=1, max_length=200, pattern=r"^[0-9A-Za-z/._\-]+$")
    subject: SubjectDraft


def require_admin(caller: Caller) -> None:
    if not caller.is_admin:
        raise Forbidden(N_("only an administrator manages rule packs"))


@router.post("/explain", response_model=Decision)
def explain(draft: SubjectDraft, db: DbDep, caller: CallerDep) -> Decision:
    """Every rule that applies to the draft and why, and the rules that do not apply."""
    return service.explain(db, draft)


@router.post(
    "/decisions",
    response_model=Decision,
    responses={403: {"description": "blocked; problem+json with the rules"}},
)
def record_decision(
    data: DecisionRequest, request: Request, db: DbDep, caller: CallerDep
) -> Decision | Response:
    """Enforce the policy on an item and record the decision in the audit log.

    A block answers 403 problem+json naming the rules, and is still recorded.
    """
    actor = review.actor_of(caller)
    try:
        return service.enforce(
            db, data.subject, actor=actor, object_type=data.object_type, object_id=data.object_id
        )
    except PolicyBlocked as exc:  # answered, not raised, so the audit row commits
        rules = [vars(rule) for rule in exc.rules]
        return problem(
            request, exc.status, exc.code, exc.title, exc.detail, extensions={"rules": rules}
        )


@router.get("/packs", response_model=list[PackOut])
def list_packs(db: DbDep, caller: CallerDep) -> list[PackOut]:
    return [PackOut.model_validate(row) for row in store.list_packs(db)]


@router.get("/packs/{pack_id}", response_model=PackDetail)
def show_pack(pack_id: IdPath, db: DbDep, caller: CallerDep) -> PackDetail:
    return PackDetail.model_validate(store.get_pack(db, pack_id))


@router.post("/packs", response_model=PackOut, status_code=status.HTTP_201_CREATED)
def load_pack(data: PackUpload, db: DbDep, caller: CallerDep) -> PackOut:
    """Validate and store a pack version (not yet active)."""
    require_admin(caller)
    return PackOut.model_validate(store.load_pack(db, data.source, actor=review.actor_of(caller)))


@router.post("/packs/{pack_id}/activate", response_model=PackOut)
def activate_pack(pack_id: IdPath, db: DbDep, caller: CallerDep) -> PackOut:
    require_admin(caller)
    return PackOut.model_validate(store.activate(db, pack_id, actor=review.actor_of(caller)))


@router.get("/reviews", response_model=list[ReviewOut])
def list_reviews(
    db: DbDep,
    caller: CallerDep,
    status_: Annotated[ReviewStatus | None, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ReviewOut]:
    """Reviewers and admins see the queue; others see the items they asked for."""
    rows = review.list_reviews(db, caller, status=status_, limit=limit)
    return [ReviewOut.model_validate(row) for row in rows]


@router.get("/reviews/{review_id}", response_model=ReviewOut)
def get_review(review_id: IdPath, db: DbDep, caller: CallerDep) -> ReviewOut:
    return ReviewOut.model_validate(review.get_review(db, caller, review_id))


@router.post("/reviews/{review_id}/decide", response_model=ReviewOut)
def decide(
    review_id: IdPath,
    data: ReviewDecisionIn,
    db: DbDep,
    caller: CallerDep,
    settings: SettingsDep,
    registry: RegistryDep,
) -> ReviewOut:
    """Legal reviewers only: approve (with conditions), amend or refuse, with reasons."""
    item = review.decide(db, caller, review_id, data, settings=settings, registry=registry)
    return ReviewOut.model_validate(item)


@router.get("/assurances", response_model=list[AssuranceOut])
def list_assurances(db: DbDep, caller: CallerDep) -> list[AssuranceOut]:
    return [AssuranceOut.model_validate(row) for row in review.list_assurances(db)]


@router.post("/assurances", response_model=AssuranceOut, status_code=status.HTTP_201_CREATED)
def record_assurance(data: AssuranceCreate, db: DbDep, caller: CallerDep) -> AssuranceOut:
    return AssuranceOut.model_validate(review.record_assurance(db, caller, data))
