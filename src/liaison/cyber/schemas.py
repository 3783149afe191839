"""Pydantic models in and out of the cyber domain."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from liaison.cyber.tlp import Tlp
from liaison.kit.inputs import InputModel
from liaison.kit.plugin import N_

SUBJECT_PATTERN = (
    r"^(user:[A-Z]{2}:[A-Za-z0-9._-]{1,100}|agency:[0-9A-Za-z-]{1,36}|party:[A-Z]{2})$"
)


class CollectionCreate(InputModel):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    default_tlp: Tlp = Tlp.AMBER
    agency_acronym: str | None = Field(default=None, max_length=30)


class GrantCreate(InputModel):
    subject: str = Field(pattern=SUBJECT_PATTERN)
    can_read: bool = True
    can_write: bool = False


class ShareCreate(InputModel):
    party: str = Field(pattern=r"^[A-Z]{2}$")
    recipient_agency: str | None = Field(default=None, max_length=30)


class Envelope(BaseModel):
    """A TAXII envelope as POSTed: the objects are validated one by one afterwards."""

    objects: list[Any] = Field(max_length=10_000)
    more: bool | None = None
    next: str | None = None

    @field_validator("objects")
    @classmethod
    def _not_empty(cls, value: list[Any]) -> list[Any]:
        if not value:
            raise ValueError(N_("an envelope must carry at least one object"))
        return value
