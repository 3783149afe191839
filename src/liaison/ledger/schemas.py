"""Pydantic models in and out of the audit API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from liaison.kit.inputs import QueryText
from liaison.ledger.verify import VerifyReport

MAX_SEQUENCE = 2**63 - 1  # BIGINT


class AuditQuery(BaseModel):
    """Filters (exact match; empty means any) and a keyset cursor: newest first."""

    actor: QueryText | None = Field(default=None, max_length=200)
    action: QueryText | None = Field(default=None, max_length=100)
    object_type: QueryText | None = Field(default=None, max_length=100)
    object_id: QueryText | None = Field(default=None, max_length=200)
    before: int | None = Field(
        default=None, ge=1, le=MAX_SEQUENCE, description="entries older than this sequence"
    )
    limit: int = Field(default=100, ge=1, le=500)


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    sequence: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    decision: str | None
    rule_ids: list[str]
    detail: dict[str, Any]
    prev_hash: str
    entry_hash: str


class AuditPage(BaseModel):
    entries: list[AuditEntryOut]
    next_before: int | None = Field(description="pass as 'before' for the next (older) page")


class ProblemOut(BaseModel):
    sequence: int
    kind: str
    message: str


class VerifyOut(BaseModel):
    ok: bool
    entries: int
    last_sequence: int
    head_hash: str
    checkpoints: int
    countersigned: int
    first_problem: ProblemOut | None
    problems: list[ProblemOut]

    @classmethod
    def of(cls, report: VerifyReport) -> VerifyOut:
        problems = [ProblemOut(**vars(p)) for p in report.problems]
        return cls(
            ok=report.ok,
            entries=report.entries,
            last_sequence=report.last_sequence,
            head_hash=report.head_hash,
            checkpoints=report.checkpoints,
            countersigned=report.countersigned,
            first_problem=problems[0] if problems else None,
            problems=problems,
        )


class CheckpointOut(BaseModel):
    chain_party: str
    sequence: int
    head_hash: str
    at: datetime
    key_id: str
    countersigned_by: list[str]
