"""Pydantic models in and out of the users domain."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from liaison.kit.i18n import Text
from liaison.kit.inputs import ID_PATTERN, InputModel
from liaison.kit.plugin import N_
from liaison.kit.roles import RESERVED_USERNAMES, Role, is_reserved_username
from liaison.kit.validation import InvalidValue

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,62}$"


class UserCreate(InputModel):
    username: str = Field(pattern=USERNAME_PATTERN, description="lower-case login name")
    display_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=12, max_length=256)
    role: Role
    agency_id: str = Field(pattern=ID_PATTERN)

    @field_validator("username", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @field_validator("username")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if is_reserved_username(value):
            reserved = ", ".join(sorted(RESERVED_USERNAMES))
            raise InvalidValue(
                Text(
                    N_("'%(value)s' is reserved for the node itself (%(reserved)s)"),
                    value=value,
                    reserved=reserved,
                )
            )
        return value


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    display_name: str
    role: Role
    agency_id: str
    is_active: bool
    created_at: datetime


class RoleChange(InputModel):
    role: Role


class TokenCreate(InputModel):
    name: str = Field(min_length=1, max_length=100)
    expires_in_days: int | None = Field(default=90, ge=1, le=3650)


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenIssued(TokenOut):
    token: str = Field(description="shown once; only a keyed hash is stored")


class Language(StrEnum):
    """Languages a user may pick; pages are in English until the catalogues land."""

    ENGLISH = "en"
    FRENCH = "fr"
    HINDI = "hi"


class PreferencesUpdate(InputModel):
    time_zone: str = Field(
        min_length=1, max_length=64, description="IANA zone, e.g. Asia/Kolkata or America/Toronto"
    )
    language: Language = Language.ENGLISH

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidValue(
                Text(
                    N_(
                        "'%(value)s' is not a time zone: choose one from the list, "
                        "e.g. Asia/Kolkata"
                    ),
                    value=value,
                )
            ) from exc
        return value


class PreferencesOut(BaseModel):
    time_zone: str = Field(description="the zone times are shown and typed in")
    language: Language
    party_time_zone: str | None = Field(description="the default, from the user's party")
