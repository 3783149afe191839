"""Hit/no-hit in and out: a check (purpose, legal basis, identifiers) and its rows."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from liaison.exchange.schemas import LegalBasis
from liaison.hitcheck.identifiers import Category, Identifier
from liaison.kit.inputs import InputModel


class CheckIn(InputModel):
    peer: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z]{2}$",
        description="party asked; default: the only peer (with several, name one)",
    )
    purpose: str = Field(min_length=3, max_length=300)
    legal_basis: LegalBasis
    identifiers: list[Identifier] = Field(min_length=1, max_length=100_000)


class Result(StrEnum):
    HIT = "hit"
    NO_HIT = "no_hit"
    INVALID = "invalid"


class RowOut(BaseModel):
    row: int
    category: Category | str
    value: str
    result: Result
    error: str | None = None
    follow_up: str | None = Field(
        default=None, description="the pre-filled follow-up request (a hit only)"
    )


class CheckOut(BaseModel):
    query_id: str | None
    peer: str
    asked: int
    hits: int
    rows: list[RowOut]


class IndexStatusOut(BaseModel):
    epoch: int
    version: int
    live: int
    tombstones: int
    pending: int
    categories: dict[str, int]
    indexed_categories: list[str]


class ConfirmIn(InputModel):
    identifier: Identifier
    message_id: str = Field(pattern=r"^[0-9a-f-]{36}$")
    request_id: str | None = Field(default=None, pattern=r"^[0-9a-f-]{36}$")
    confirmed: bool
    note: str = Field(default="", max_length=2000)


class MatchOut(BaseModel):
    message_id: str
    case_id: str
    subject: str
    category: str


class ConfirmationOut(BaseModel):
    id: str
    message_id: str
    confirmed: bool
