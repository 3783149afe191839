"""Pydantic models in and out of the legal review queue, assurances and packs."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from liaison.kit.inputs import InputModel


class ReviewStatus(StrEnum):
    HELD = "held"
    APPROVED = "approved"
    APPROVED_WITH_CONDITIONS = "approved_with_conditions"
    AMENDED = "amended"
    REFUSED = "refused"


class AssuranceKind(StrEnum):
    DEATH_PENALTY = "death_penalty"
    MISTREATMENT = "mistreatment"
    USE_LIMITATION = "use_limitation"


class ReviewDecisionIn(InputModel):
    status: ReviewStatus = Field(description="approved, approved_with_conditions, amended, refused")
    reasons: str = Field(min_length=3, max_length=4000)
    conditions: list[str] = Field(default_factory=list, max_length=20)
    assurance_reference: str | None = Field(default=None, max_length=100)

    @model_validator(mode="after")
    def _coherent(self) -> ReviewDecisionIn:
        self.conditions = [c for c in (c.strip() for c in self.conditions) if c]
        if self.status is ReviewStatus.HELD:
            raise ValueError("status: a decision cannot leave the item held")
        needs = (ReviewStatus.APPROVED_WITH_CONDITIONS, ReviewStatus.AMENDED)
        if self.status in needs and not self.conditions:
            raise ValueError(f"conditions: {self.status.value} needs at least one condition")
        return self


class ReviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    object_type: str
    object_id: str
    decision: dict[str, Any]
    status: ReviewStatus
    requested_by: str
    reviewer: str | None
    reasons: str | None
    conditions: list[str]
    assurance_reference: str | None
    created_at: datetime
    decided_at: datetime | None


class AssuranceCreate(InputModel):
    reference: str = Field(min_length=3, max_length=100, pattern=r"^[A-Za-z0-9/._\-]+$")
    kind: AssuranceKind = AssuranceKind.DEATH_PENALTY
    given_by: str = Field(min_length=3, max_length=300)
    given_on: date
    text: str = Field(min_length=10, max_length=10000)


class AssuranceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    reference: str
    kind: str
    given_by: str
    given_on: date
    text: str
    recorded_by: str
    recorded_at: datetime


class PackUpload(InputModel):
    source: str = Field(min_length=10, max_length=500_000, description="the pack's TOML text")


class PackOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    pack: str
    version: str
    title: str
    sha256: str
    rule_count: int
    active: bool
    loaded_by: str
    loaded_at: datetime
    activated_by: str | None
    activated_at: datetime | None


class PackDetail(PackOut):
    source: str
