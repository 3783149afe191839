"""Pydantic models in and out of the directory."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from liaison.kit.inputs import ID_PATTERN, InputModel
from liaison.kit.plugin import N_

ACRONYM_PATTERN = r"^[A-Za-z0-9&.\- ]+$"


class MandateArea(StrEnum):
    DRUGS = "drugs"
    ORGANISED_CRIME = "organised_crime"
    CYBER = "cyber"
    FRAUD = "fraud"
    IMMIGRATION = "immigration"
    COUNTER_TERRORISM = "counter_terrorism"
    NATIONAL_SECURITY = "national_security"


class OfficerKind(StrEnum):
    LIAISON_OFFICER = "liaison_officer"
    POINT_OF_CONTACT = "point_of_contact"


class Accreditation(StrEnum):
    NOMINATED = "nominated"
    ACCREDITED = "accredited"
    WITHDRAWN = "withdrawn"


class ChannelKind(StrEnum):
    SECURE_EMAIL = "secure_email"
    PHONE = "phone"
    SECURE_MESSAGING = "secure_messaging"
    LIAISON_NETWORK = "liaison_network"


def _party_code(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


class PartyCreate(InputModel):
    code: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")
    name: str | None = Field(default=None, max_length=200, description="defaults to ISO name")

    _upper = field_validator("code", mode="before")(_party_code)


class PartyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str


class AgencyFields(InputModel):
    name: str = Field(min_length=2, max_length=300)
    acronym: str = Field(min_length=2, max_length=30, pattern=ACRONYM_PATTERN)
    mandate_areas: list[MandateArea] = Field(default_factory=list)

    @field_validator("mandate_areas")
    @classmethod
    def _dedupe(cls, value: list[MandateArea]) -> list[MandateArea]:
        return sorted(set(value))


class AgencyCreate(AgencyFields):
    party_code: str = Field(min_length=2, max_length=2)

    _upper = field_validator("party_code", mode="before")(_party_code)


class AgencyUpdate(InputModel):
    name: str | None = Field(default=None, min_length=2, max_length=300)
    acronym: str | None = Field(default=None, min_length=2, max_length=30, pattern=ACRONYM_PATTERN)
    mandate_areas: list[MandateArea] | None = None


class AgencyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    party_code: str
    name: str
    acronym: str
    mandate_areas: list[MandateArea]
    created_at: datetime
    updated_at: datetime


class OfficerCreate(InputModel):
    kind: OfficerKind = OfficerKind.LIAISON_OFFICER
    role_title: str = Field(min_length=3, max_length=300)
    person_name: str | None = Field(default=None, max_length=300)
    agency_id: str = Field(pattern=ID_PATTERN)
    host_party_code: str = Field(min_length=2, max_length=2)
    posting: str = Field(min_length=2, max_length=300, description="e.g. High Commission, Ottawa")
    nominated_on: date

    _upper = field_validator("host_party_code", mode="before")(_party_code)


class OfficerUpdate(InputModel):
    role_title: str | None = Field(default=None, min_length=3, max_length=300)
    person_name: str | None = Field(default=None, max_length=300)
    posting: str | None = Field(default=None, min_length=2, max_length=300)

    @field_validator("role_title", "posting")
    @classmethod
    def _not_null(cls, value: str | None) -> str | None:
        """Leave a field out to keep it; these two cannot be cleared."""
        if value is None:
            raise ValueError(N_("may be left out to keep the current value, but not set to null"))
        return value


class AccreditationChange(InputModel):
    """A step in nominated → accredited (by the host party) → withdrawn."""

    status: Accreditation
    on: date = Field(description="the date the decision took effect")


class OfficerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: OfficerKind
    role_title: str
    person_name: str | None
    agency_id: str
    host_party_code: str
    posting: str
    accreditation_status: Accreditation
    nominated_on: date
    accredited_on: date | None
    withdrawn_on: date | None


class ChannelCreate(InputModel):
    kind: ChannelKind
    address: str = Field(min_length=3, max_length=300)
    notes: str = Field(default="", max_length=2000)


class ChannelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    officer_id: str
    kind: ChannelKind
    address: str
    notes: str
