"""The originator's consent to onward disclosure, under /api/v1/exchange/consents:
what this node asked and was asked, and the answer (exchange/consent.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from liaison.api.deps import DbDep
from liaison.exchange import consent
from liaison.exchange.schemas import ConsentStatus
from liaison.kit.inputs import IdPath, InputModel
from liaison.models import OnwardConsent
from liaison.users.deps import CallerDep

router = APIRouter(prefix="/api/v1/exchange/consents", tags=["exchange"])


class ConsentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    side: str  # asked (this node asked the originator) | asked_of (this node is it)
    message_id: str
    case_id: str
    forward_id: str | None
    originator_party: str
    holder_party: str
    onward_party: str
    onward_agency: str
    note: str
    status: ConsentStatus
    reason: str
    requested_by: str
    requested_at: datetime
    answered_by: str | None
    answered_at: datetime | None


class ConsentAnswerIn(InputModel):
    grant: bool
    reason: str = Field(default="", max_length=2000)


@router.get("", response_model=list[ConsentOut])
def list_consents(
    db: DbDep,
    caller: CallerDep,
    status: ConsentStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ConsentOut]:
    """Consent requests, newest first: those this node asked and those asked of it."""
    consent.require_handler(caller)
    query = select(OnwardConsent).order_by(OnwardConsent.requested_at.desc()).limit(limit)
    if status:
        query = query.where(OnwardConsent.status == status)
    return [ConsentOut.model_validate(row) for row in db.scalars(query)]


@router.post("/{consent_id}/answer", response_model=ConsentOut)
def answer_consent(
    consent_id: IdPath, data: ConsentAnswerIn, db: DbDep, caller: CallerDep
) -> ConsentOut:
    """Grant or refuse a holder's request to pass this node's message on."""
    answered = consent.answer_as(db, caller, consent_id, granted=data.grant, reason=data.reason)
    return ConsentOut.model_validate(answered)
