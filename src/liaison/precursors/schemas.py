"""Pydantic models in and out of the precursors domain: substances, pre-export
notifications (in, on the wire, out), answers, incidents and opening a case."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, field_validator
from stdnum import casrn, imo, iso6346

from liaison.exchange.normalise import checked, country_code
from liaison.exchange.schemas import LegalBasis
from liaison.kit.errors import Message
from liaison.kit.i18n import DEFAULT, Text, localized
from liaison.kit.inputs import ID_PATTERN, InputModel
from liaison.kit.plugin import N_
from liaison.kit.validation import InvalidValue
from liaison.policy.schemas import HandlingCode, PartyCode, Tlp

UNITS = {"kg": ("kg", 1.0), "g": ("kg", 0.001), "l": ("L", 1.0), "ml": ("L", 0.001)}


@lru_cache(maxsize=4096)
def cas_number(value: str) -> str:
    """A CAS registry number with a correct check digit, as 12345-67-8."""
    return checked(casrn.validate, value.strip(), N_("CAS number"))


@lru_cache(maxsize=64)
def unit_name(value: str) -> str:
    key = value.strip().lower()
    if key not in UNITS:
        raise InvalidValue(Text(N_("unit %(value)r is not one of kg, g, L, mL"), value=value))
    return {"kg": "kg", "g": "g", "l": "L", "ml": "mL"}[key]


def container_number(value: str | None) -> str | None:
    if not value:
        return None
    cleaned = re.sub(r"[\s-]", "", value).upper()
    return checked(iso6346.validate, cleaned, N_("container number (ISO 6346)"))


def imo_number(value: str | None) -> str | None:
    return checked(imo.validate, value, N_("IMO number")) if value else None


CasNumber = Annotated[str, AfterValidator(cas_number)]
Container = Annotated[str | None, Field(max_length=13), AfterValidator(container_number)]
Imo = Annotated[str | None, Field(max_length=12), AfterValidator(imo_number)]
Unit = Annotated[str, AfterValidator(unit_name)]


class Category(StrEnum):
    TABLE_I = "table_i"
    SALT = "salt"
    WATCH = "watch"


class ControlStatus(StrEnum):
    CONTROLLED = "controlled"
    PENDING = "pending"
    NOT_CONTROLLED = "not_controlled"


class NationalControl(InputModel):
    status: ControlStatus
    reference: str = Field(default="", max_length=300)


class SubstanceIn(InputModel):
    cas: CasNumber
    name: str = Field(min_length=2, max_length=200)
    synonyms: list[str] = Field(default_factory=list, max_length=20)
    category: Category
    parent_cas: str | None = None
    family: str = Field(default="", max_length=100)
    hs_code: str = Field(default="", pattern=r"^(\d{4}(\.\d{2}){0,2})?$")
    unit: str = "kg"
    control: dict[PartyCode, NationalControl] = Field(default_factory=dict)
    note: str = Field(default="", max_length=2000)

    @field_validator("parent_cas")
    @classmethod
    def _parent(cls, value: str | None) -> str | None:
        return cas_number(value) if value else None

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str) -> str:
        unit = unit_name(value)
        if unit not in ("kg", "L"):
            raise ValueError(N_("a substance is registered in kg (solids) or L (liquids)"))
        return unit


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SubstanceOut(_Out):
    id: str
    cas: str
    name: str
    synonyms: list[str]
    category: str
    parent_cas: str | None
    family: str
    hs_code: str
    unit: str
    control: dict[str, Any]
    note: str
    updated_by: str
    updated_at: datetime


class NoticeFields(InputModel):
    """What a pre-export notification says about the shipment (form, API, CSV row)."""

    exporter: str = Field(min_length=2, max_length=200)
    exporter_country: str = Field(default="", max_length=2)
    importer: str = Field(min_length=2, max_length=200)
    importing_party: PartyCode
    consignee: str = Field(default="", max_length=200)
    substance_cas: CasNumber
    quantity: float = Field(gt=0, le=1_000_000)
    unit: Unit
    purpose: str = Field(min_length=3, max_length=300)
    transit_points: list[PartyCode] = Field(default_factory=list, max_length=10)
    point_of_entry: str = Field(min_length=2, max_length=120)
    dispatch_date: date
    licences: list[str] = Field(default_factory=list, max_length=10)
    container: Container = None
    vessel_imo: Imo = None
    vessel_name: str = Field(default="", max_length=200)
    reference: str = Field(default="", max_length=60)

    @field_validator("exporter_country")
    @classmethod
    def _country(cls, value: str) -> str:
        return country_code(value) or "" if value else ""


class Markings(InputModel):
    tlp: Tlp = Tlp.AMBER
    handling_code: HandlingCode = HandlingCode.INTELLIGENCE_ONLY
    legal_basis: LegalBasis = LegalBasis.STATUTE
    legal_basis_reference: str = Field(
        default="1988 UN Convention, art. 12(10)(a) (pre-export notification)", max_length=300
    )


class NoticeIn(NoticeFields):
    markings: Markings = Field(default_factory=Markings)
    respond_within_days: int = Field(default=15, ge=1, le=60)


class ImportOptions(InputModel):
    markings: Markings = Field(default_factory=Markings)
    respond_within_days: int = Field(default=15, ge=1, le=60)


class Outcome(StrEnum):
    LEGITIMATE = "legitimate"
    OBJECTION = "objection"
    INFO_REQUESTED = "info_requested"


class AnswerIn(InputModel):
    outcome: Outcome
    reason: str = Field(default="", max_length=2000)
    open_case: bool = Field(
        default=False, description="also open an exchange case with the exporting party"
    )


class CaseIn(InputModel):
    """Open an exchange case from a notification or incident, or join one."""

    join_case_id: str | None = Field(default=None, pattern=ID_PATTERN)
    from_agency_id: str | None = Field(default=None, pattern=ID_PATTERN)
    to_agency_id: str | None = Field(default=None, pattern=ID_PATTERN)
    note: str = Field(default="", max_length=5000)


class NoticeOut(_Out):
    id: str
    reference: str
    direction: str
    exporting_party: str
    importing_party: str
    exporter: str
    importer: str
    consignee: str
    substance_cas: str
    substance_name: str
    quantity: float
    unit: Unit
    purpose: str
    transit_points: list[str]
    route: str
    point_of_entry: str
    dispatch_date: date
    licences: list[str]
    container: str | None
    vessel_imo: str | None
    vessel_name: str
    tlp: str
    handling_code: str
    legal_basis: str
    legal_basis_reference: str
    status: str
    respond_by: datetime
    answer_reason: str
    answered_by: str
    answered_at: datetime | None
    overdue_flagged_at: datetime | None
    case_id: str | None
    created_at: datetime
    sent_at: datetime


class NoticePage(BaseModel):
    items: list[NoticeOut]
    next_cursor: str | None


class NoticeWire(NoticeFields):
    """One notification inside a ``precursors.notices`` envelope."""

    id: str = Field(pattern=ID_PATTERN)
    reference: str = Field(min_length=1, max_length=60)
    substance_name: str = Field(min_length=1, max_length=200)
    markings: Markings
    respond_by: datetime
    sent_at: datetime


class NoticesWire(InputModel):
    notices: list[NoticeWire] = Field(min_length=1, max_length=1000)


class AnswerWire(InputModel):
    notice_id: str = Field(pattern=ID_PATTERN)
    outcome: Outcome
    reason: str = Field(default="", max_length=2000)
    answered_by: str = Field(max_length=120)
    answered_at: datetime
    case_id: str | None = Field(default=None, pattern=ID_PATTERN)


class IncidentKind(StrEnum):
    SUSPICIOUS_ORDER = "suspicious_order"
    SUSPICIOUS_SHIPMENT = "suspicious_shipment"
    STOPPED_SHIPMENT = "stopped_shipment"
    SEIZURE = "seizure"
    CONTROLLED_DELIVERY = "controlled_delivery"


class DiversionMethod(StrEnum):
    FALSE_DECLARATION = "false_declaration"
    MISLABELLING = "mislabelling"
    FRONT_COMPANY = "front_company"
    FORGED_LICENCE = "forged_licence"
    TRANSSHIPMENT = "transshipment"
    ONLINE_ORDER = "online_order"
    POSTAL_OR_COURIER = "postal_or_courier"
    UNKNOWN = "unknown"


class IncidentIn(InputModel):
    kind: IncidentKind
    substance_cas: CasNumber
    quantity: float = Field(default=0, ge=0, le=1_000_000)
    unit: Unit = "kg"
    diversion_method: DiversionMethod = DiversionMethod.UNKNOWN
    location: str = Field(default="", max_length=200)
    occurred_on: date
    description: str = Field(default="", max_length=5000)
    exporter: str = Field(default="", max_length=200)
    consignee: str = Field(default="", max_length=200)
    container: Container = None
    vessel_imo: Imo = None
    notice_id: str | None = Field(default=None, pattern=ID_PATTERN)
    tlp: Tlp = Tlp.AMBER


class IncidentOut(_Out):
    id: str
    kind: str
    party: str
    substance_cas: str
    substance_name: str
    quantity: float
    unit: str
    diversion_method: str
    location: str
    occurred_on: date
    description: str
    exporter: str
    consignee: str
    container: str | None
    vessel_imo: str | None
    notice_id: str | None
    case_id: str | None
    tlp: str
    created_by: str
    created_at: datetime


class RowError(BaseModel):
    row: int  # 1-based line number in the file, the header being line 1
    field: str
    message: str  # English (the API's report); the web page shows ``said``, translated
    _said: Message | None = PrivateAttr(default=None)

    @classmethod
    def of(cls, row: int, field: str, said: Message) -> RowError:
        error = cls(row=row, field=field, message=localized(said, DEFAULT))
        error._said = said
        return error

    @property
    def said(self) -> Message:
        return self.message if self._said is None else self._said


class ImportReport(BaseModel):
    batch_id: str | None
    rows: int
    imported: int
    held_for_review: int = 0  # imported, waiting for a legal reviewer before they are sent
    errors: list[RowError]  # the first 10,000
    error_count: int
