"""Pydantic models of the workplan: the plan document, change sets, answers."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from liaison.kit.inputs import ID_PATTERN, InputModel

AREA_PATTERN = r"^[a-z][a-z0-9_]{0,59}$"
PARTY_PATTERN = r"^[A-Z]{2}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"


class Status(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"
    DROPPED = "dropped"


CLOSED_STATUSES = (Status.DONE.value, Status.DROPPED.value)


class ProposalStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    COUNTERED = "countered"
    CONFLICT = "conflict"
    AWAITING_COUNTERSIGNATURE = "awaiting_countersignature"


class Milestone(InputModel):
    id: str | None = Field(default=None, pattern=ID_PATTERN)
    title: str = Field(min_length=1, max_length=300)
    due: date
    done: bool = False


class Action(InputModel):
    id: str | None = Field(default=None, pattern=ID_PATTERN)
    area: str = Field(pattern=AREA_PATTERN)
    description: str = Field(min_length=1, max_length=2000)
    leads: dict[str, str] = Field(
        description="lead agency acronym for each party, e.g. {'CA': 'RCMP', 'IN': 'NCB'}"
    )
    deliverables: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=list, max_length=50
    )
    milestones: list[Milestone] = Field(default_factory=list, max_length=50)
    status: Status = Status.PLANNED


class Area(InputModel):
    key: str = Field(pattern=AREA_PATTERN)
    title: str = Field(min_length=1, max_length=200)


class Period(InputModel):
    start: date
    end: date


class PlanDocument(InputModel):
    """What both nodes sign. Serialised canonically by ``document.canonical``."""

    title: str
    parties: list[str]
    period: Period
    number: int = Field(ge=1)
    base_sha256: str | None = None
    proposal: str | None = None
    areas: list[Area]
    actions: list[Action]


class AddAction(InputModel):
    op: Literal["add_action"]
    action: Action


class UpdateAction(InputModel):
    op: Literal["update_action"]
    action_id: str = Field(pattern=ID_PATTERN)
    area: str | None = Field(default=None, pattern=AREA_PATTERN)
    description: str | None = Field(default=None, min_length=1, max_length=2000)
    leads: dict[str, str] | None = None
    deliverables: list[Annotated[str, Field(min_length=1, max_length=500)]] | None = None
    milestones: list[Milestone] | None = None
    status: Status | None = None


class RemoveAction(InputModel):
    op: Literal["remove_action"]
    action_id: str = Field(pattern=ID_PATTERN)


Change = Annotated[AddAction | UpdateAction | RemoveAction, Field(discriminator="op")]


class ProposalCreate(InputModel):
    base_version: int = Field(ge=1, description="the version number this change set is against")
    changes: list[Change] = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=2000)


class CounterCreate(InputModel):
    changes: list[Change] = Field(min_length=1, max_length=200)
    note: str = Field(default="", max_length=2000)


class RejectCreate(InputModel):
    reason: str = Field(min_length=1, max_length=2000)


class EvidenceLink(InputModel):
    kind: Literal["case", "message", "document", "url"]
    ref: str = Field(min_length=1, max_length=500)
    title: str = Field(default="", max_length=300)


class ProgressCreate(InputModel):
    note: str = Field(min_length=1, max_length=4000)
    status: Status | None = None
    evidence: list[EvidenceLink] = Field(default_factory=list, max_length=20)
    shareable: bool = True


# answers -------------------------------------------------------------------
class SignatureOut(BaseModel):
    party_code: str
    key_id: str
    signature: str
    verified: bool


class VersionSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    sha256: str
    state: str
    proposal_id: str | None
    basis: str
    accepted_at: datetime | None


class VersionOut(VersionSummary):
    document: PlanDocument
    signatures: list[SignatureOut]
    unsigned: list[str] = Field(
        default_factory=list,
        description="the plan's parties whose signature this node does not hold yet",
    )


class ProposalOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    base_number: int
    base_sha256: str
    proposer_party: str
    proposed_by: str
    note: str
    changes: list[Change]
    counter_to: str | None
    status: ProposalStatus
    reason: str
    result_version: int | None
    created_at: datetime
    decided_at: datetime | None


class ProgressOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    action_id: str
    party_code: str
    author: str
    note: str
    status: Status | None
    evidence: list[EvidenceLink]
    shareable: bool
    reported_at: datetime


class DiffEntry(BaseModel):
    action_id: str
    kind: Literal["added", "removed", "changed"]
    description: str
    fields: dict[str, tuple[object, object]] = Field(default_factory=dict)
