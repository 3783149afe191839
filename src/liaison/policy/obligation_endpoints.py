"""Obligations API under /api/v1/policy/obligations: list them, discharge one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select

from liaison.api.deps import DbDep
from liaison.kit.errors import Forbidden
from liaison.kit.inputs import ID_PATTERN, IdPath
from liaison.kit.plugin import N_
from liaison.models.policy import PolicyObligation
from liaison.policy import obligations
from liaison.policy.obligations import DischargeIn
from liaison.users.deps import CallerDep

router = APIRouter(prefix="/api/v1/policy/obligations", tags=["policy"])


class ObligationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    object_type: str
    object_id: str
    case_id: str | None
    rule_id: str
    kind: str
    citation: str
    detail: str
    due: datetime | None
    opened_at: datetime
    discharged_at: datetime | None
    discharged_by: str | None
    done_at: datetime | None
    reference: str | None
    note: str


@router.get("", response_model=list[ObligationOut])
def list_obligations(
    db: DbDep,
    caller: CallerDep,
    open: bool = True,
    object_id: Annotated[str | None, Query(pattern=ID_PATTERN)] = None,
) -> list[PolicyObligation]:
    """Obligations to discharge (open ones by default), oldest due first: for legal
    reviewers and administrators, who see every item's (like the review queue); an
    officer sees an item's obligations on its case page, which checks access."""
    if caller.role not in obligations.LISTERS:
        raise Forbidden(N_("only legal reviewers and administrators list every item's obligations"))
    query = select(PolicyObligation).order_by(PolicyObligation.due, PolicyObligation.opened_at)
    if open:
        query = query.where(PolicyObligation.discharged_at.is_(None))
    if object_id is not None:
        query = query.where(PolicyObligation.object_id == object_id)
    return list(db.scalars(query.limit(200)))


@router.post("/{obligation_id}/discharge", response_model=ObligationOut)
def discharge(
    obligation_id: IdPath, data: DischargeIn, db: DbDep, caller: CallerDep
) -> PolicyObligation:
    """Record how the obligation was met (when, reference, note); audited."""
    return obligations.discharge(db, caller, obligation_id, data)
