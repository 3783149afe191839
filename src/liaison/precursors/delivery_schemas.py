"""Pydantic models of a controlled-delivery plan: what an officer sends in, what the
API answers, and the change that crosses the border."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from liaison.kit.inputs import ID_PATTERN, InputModel
from liaison.kit.plugin import N_
from liaison.policy import vocab
from liaison.policy.schemas import PartyCode
from liaison.precursors.schemas import CasNumber, Container, Imo, Unit


class DeliveryStatus(StrEnum):
    PROPOSED = "proposed"
    AUTHORISED = "authorised"  # both parties have authorised
    IN_TRANSIT = "in_transit"
    DELIVERED = "delivered"
    INTERDICTED = "interdicted"
    ABORTED = "aborted"


class DeliveryAction(StrEnum):
    PLAN = "plan"
    AUTHORISE = "authorise"
    STATUS = "status"


# What an officer may move a plan to, from each status ("authorised" is reached only by
# the second party's authorisation, never chosen).
MOVES: dict[DeliveryStatus, frozenset[DeliveryStatus]] = {
    DeliveryStatus.PROPOSED: frozenset({DeliveryStatus.IN_TRANSIT, DeliveryStatus.ABORTED}),
    DeliveryStatus.AUTHORISED: frozenset({DeliveryStatus.IN_TRANSIT, DeliveryStatus.ABORTED}),
    DeliveryStatus.IN_TRANSIT: frozenset(
        {DeliveryStatus.DELIVERED, DeliveryStatus.INTERDICTED, DeliveryStatus.ABORTED}
    ),
    DeliveryStatus.DELIVERED: frozenset(),
    DeliveryStatus.INTERDICTED: frozenset(),
    DeliveryStatus.ABORTED: frozenset(),
}

# Each party's legal authority for a controlled delivery (data: ``policy/vocab.toml``).
LEGAL_REFERENCES = vocab.CONTROLLED_DELIVERY_AUTHORITY


def air_waybill(value: str | None) -> str | None:
    """An IATA air waybill number, as 176-12345675: the airline's 3-digit prefix and an
    8-digit serial whose last digit is the first seven modulo 7."""
    if not value:
        return None
    digits = re.sub(r"[\s-]", "", value)
    if not re.fullmatch(r"\d{11}", digits):
        raise ValueError(N_("an air waybill number is 11 digits: airline prefix and serial"))
    if int(digits[3:10]) % 7 != int(digits[10]):
        raise ValueError(N_("the air waybill number's check digit is wrong"))
    return f"{digits[:3]}-{digits[3:]}"


AirWaybill = Annotated[str | None, Field(max_length=14), AfterValidator(air_waybill)]


class Consignment(InputModel):
    """One consignment under watch: a container, a vessel, an air waybill, a bill of
    lading (the identifiers the exchange's shipment and vessel entities use)."""

    container: Container = None
    vessel_imo: Imo = None
    air_waybill: AirWaybill = None
    bill_of_lading: str | None = Field(default=None, max_length=40)

    @model_validator(mode="after")
    def _something(self) -> Consignment:
        if not (self.container or self.vessel_imo or self.air_waybill or self.bill_of_lading):
            raise ValueError(N_("name the container, vessel IMO, air waybill or bill of lading"))
        return self


class Leg(InputModel):
    """A point on the route, in travel order; ``handover_to``: the party whose officers
    take over surveillance there."""

    place: str = Field(min_length=2, max_length=200)
    mode: str = Field(default="", max_length=40)
    handover_to: PartyCode | None = None


class PlanIn(InputModel):
    """The plan; a draft may still lack its consignments or route, but no party can
    authorise it until it names both."""

    consignments: list[Consignment] = Field(default_factory=list, max_length=20)
    substance_cas: CasNumber
    quantity: float = Field(default=0, ge=0, le=1_000_000)
    unit: Unit = "kg"
    route: list[Leg] = Field(default_factory=list, max_length=30)
    window_start: date
    window_end: date
    lead_agencies: dict[PartyCode, Annotated[str, Field(pattern=ID_PATTERN)]] = Field(
        default_factory=dict, max_length=5
    )

    @model_validator(mode="after")
    def _window(self) -> PlanIn:
        if self.window_end < self.window_start:
            raise ValueError(N_("window_end: the window ends before it starts"))
        return self


class AuthoriseIn(InputModel):
    """This party's authorisation: who authorised it (name, rank, office), when, and
    under which law (the party's usual reference when left blank)."""

    party: PartyCode
    authorised_by: str = Field(min_length=3, max_length=200)
    authorised_at: AwareDatetime
    legal_reference: str = Field(default="", max_length=300)


class StatusIn(InputModel):
    status: DeliveryStatus
    note: str = Field(default="", max_length=2000)


class Authorisation(BaseModel):
    party: str
    authorised_by: str
    authorised_at: datetime
    legal_reference: str
    recorded_by: str


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    action: str
    party: str
    actor: str
    status: str
    note: str
    at: datetime


class PlanOut(BaseModel):
    case_id: str
    case_reference: str
    consignments: list[dict[str, Any]]
    substance_cas: str
    substance_name: str
    quantity: float
    unit: str
    route: list[dict[str, Any]]
    window_start: date
    window_end: date
    lead_agencies: dict[str, str]
    authorisations: list[Authorisation]
    awaiting: list[str]  # parties that have not authorised yet
    tlp: str  # the most restrictive marking of the case's messages, which the plan carries
    status: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    timeline: list[EventOut]


class EventWire(InputModel):
    """The ``precursors.delivery`` envelope payload: one change, as made on the sender."""

    case_id: str = Field(pattern=ID_PATTERN)
    event_id: str = Field(pattern=ID_PATTERN)
    action: DeliveryAction
    party: PartyCode
    actor: str = Field(max_length=120)
    at: AwareDatetime
    note: str = Field(default="", max_length=2000)
    plan: PlanIn | None = None
    authorisation: AuthoriseIn | None = None
    # an authorisation names the plan it authorises: its latest ``plan`` change's id
    plan_version: str | None = Field(default=None, pattern=ID_PATTERN)
    status: DeliveryStatus | None = None

    @model_validator(mode="after")
    def _complete(self) -> EventWire:
        needed = {
            DeliveryAction.PLAN: self.plan,
            DeliveryAction.AUTHORISE: self.authorisation,
            DeliveryAction.STATUS: self.status,
        }[self.action]
        if needed is None:
            raise ValueError(f"a {self.action.value} change carries its {self.action.value}")
        return self
