"""Pydantic models in and out of the legal review queue, assurances and packs."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from liaison.kit.i18n import Label, Text
from liaison.kit.inputs import InputModel
from liaison.kit.plugin import N_
from liaison.kit.validation import InvalidValue
from liaison.policy import vocab
from liaison.policy.schemas import OptionalParty


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
            raise ValueError(N_("status: a decision cannot leave the item held"))
        needs = (ReviewStatus.APPROVED_WITH_CONDITIONS, ReviewStatus.AMENDED)
        if self.status in needs and not self.conditions:
            raise InvalidValue(
                Text(
                    N_("conditions: %(status)s needs at least one condition"),
                    status=Label(self.status, inline=True),
                )
            )
        return self


SUBJECT = "subject"  # the held item's subject, kept beside its decision
HELD_CONTENT = "held"  # what the holding domain keeps to act on at the release
HIDDEN = frozenset({SUBJECT, HELD_CONTENT})


class ReviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    object_type: str
    object_id: str
    decision: dict[str, Any]
    status: ReviewStatus

    @field_validator("decision")
    @classmethod
    def _without_subject(cls, decision: dict[str, Any]) -> dict[str, Any]:
        """The held item's subject (its persons, their names) is kept to match assurances,
        never shown: the queue names the item; its content is read through its domain,
        which applies the item's TLP audience."""
        return {key: value for key, value in decision.items() if key not in HIDDEN}

    requested_by: str
    reviewer: str | None
    reasons: str | None
    conditions: list[str]
    assurance_reference: str | None
    created_at: datetime
    decided_at: datetime | None


class AssuranceScope(StrEnum):
    ANY = "any"  # every item to the giving party
    CASE = "case"  # items of one case (scope_value: the case reference)
    PERSON = "person"  # items naming one person (scope_value: the name as in the entity)
    OFFENCE = "offence"  # items alleging one offence (scope_value: the offence code)


class AssuranceCreate(InputModel):
    reference: str = Field(min_length=3, max_length=100, pattern=r"^[A-Za-z0-9/._\-]+$")
    kind: AssuranceKind = AssuranceKind.DEATH_PENALTY
    given_by: str = Field(min_length=3, max_length=300)
    given_on: date
    text: str = Field(min_length=10, max_length=10000)
    party: OptionalParty = Field(
        default=None, description="the state that gave it (ISO alpha-2); none covers no item"
    )
    scope: AssuranceScope = AssuranceScope.ANY
    scope_value: str = Field(default="", max_length=200)
    expires_on: date | None = None

    @model_validator(mode="after")
    def _coherent(self) -> AssuranceCreate:
        if self.expires_on is not None and self.expires_on < self.given_on:
            raise ValueError(N_("expires_on: an assurance cannot expire before it was given"))
        if self.scope is AssuranceScope.OFFENCE:
            self.scope_value = vocab.offence_code(self.scope_value)
        elif self.scope is not AssuranceScope.ANY and not self.scope_value.strip():
            raise InvalidValue(
                Text(
                    N_("scope_value: name the %(scope)s the assurance covers"),
                    scope=Label(self.scope, inline=True),
                )
            )
        return self


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
    party: str | None = None
    scope: str = "any"
    scope_value: str = ""
    expires_on: date | None = None


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
