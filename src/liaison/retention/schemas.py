"""Pydantic models in and out of the retention API."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from liaison.kit.inputs import InputModel
from liaison.models import DeletionRequest


class PeriodIn(InputModel):
    party_code: str = Field(pattern=r"^[A-Z]{2}$")
    category: str = Field(min_length=1, max_length=100)
    days: int = Field(ge=0, le=36500, description="0 erases at the next purge")


class PeriodOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    party_code: str
    category: str
    days: int
    updated_by: str
    updated_at: datetime


class HoldIn(InputModel):
    object_type: str = Field(min_length=1, max_length=100)
    object_id: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000)


class HoldOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    object_type: str
    object_id: str
    reason: str
    placed_by: str
    placed_at: datetime
    released_by: str | None
    released_at: datetime | None


class TombstoneOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    object_type: str
    object_id: str
    origin_party: str
    reason: str
    request_id: str | None
    summary: str
    erased_at: datetime


class DeletionOut(BaseModel):
    id: str
    direction: str
    peer_party: str
    object_type: str
    object_id: str
    reason: str
    requested_by: str
    requested_at: datetime
    status: str
    completed_at: datetime | None
    certificate: dict[str, Any] | None
    certificate_verified: bool

    @classmethod
    def of(cls, row: DeletionRequest, verified: bool) -> DeletionOut:
        return cls(
            id=row.id,
            direction=row.direction,
            peer_party=row.peer_party,
            object_type=row.object_type,
            object_id=row.object_id,
            reason=row.reason,
            requested_by=row.requested_by,
            requested_at=row.requested_at,
            status=row.status,
            completed_at=row.completed_at,
            certificate=json.loads(row.certificate) if row.certificate else None,
            certificate_verified=verified,
        )


class PurgeOut(BaseModel):
    erased: list[TombstoneOut]
