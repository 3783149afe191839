"""Hit/no-hit in and out: a check (purpose, legal basis, identifiers) and its rows."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from liaison.exchange.schemas import LegalBasis
from liaison.hitcheck.identifiers import Category, Identifier
from liaison.kit.errors import Message
from liaison.kit.i18n import DEFAULT, localized, text_data, text_from_data
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
    error: str | None = Field(default=None, description="why the row is invalid, in English")
    reason: dict[str, Any] | None = Field(
        default=None,
        description="``error`` as a message id and its values, to show in another language",
    )
    follow_up: str | None = Field(
        default=None, description="the pre-filled follow-up request (a hit only)"
    )

    def refusal(self) -> Message | None:
        """Why the row is invalid, to show in the reader's language (a result kept
        before reasons were kept as message ids: its English)."""
        return text_from_data(self.reason) if self.reason is not None else self.error


def invalid_row(row: int, category: Category | str, value: str, why: Message) -> RowOut:
    """An invalid row: its reason in English (``error``, the result file's stable form)
    and as a message id with values (``reason``, shown translated)."""
    return RowOut(
        row=row,
        category=category,
        value=value,
        result=Result.INVALID,
        error=localized(why, DEFAULT),
        reason=text_data(why),
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
