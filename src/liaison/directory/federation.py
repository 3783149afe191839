"""The directory across the border: each node publishes its own agencies and officers;
the peer keeps them read-only, marked with their origin. Accreditation is a two-step
exchange: the sending party nominates, the host party decides."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.directory.accreditation import apply_step
from liaison.directory.schemas import (
    ACRONYM_PATTERN,
    Accreditation,
    AccreditationChange,
    MandateArea,
    OfficerKind,
)
from liaison.federation.outbox import enqueue
from liaison.kit.errors import LiaisonError
from liaison.kit.inputs import ID_PATTERN, InputModel
from liaison.kit.plugin import InboundContext, PayloadRefused
from liaison.models import Agency, Officer

AGENCY_UPSERT = "directory.agency_upsert"
OFFICER_UPSERT = "directory.officer_upsert"
ACCREDITATION_DECISION = "directory.accreditation_decision"


class _Record(InputModel):
    """Records from a peer get the same checks as input from a user (no control
    characters, no unknown fields)."""

    model_config = ConfigDict(extra="forbid", from_attributes=True, str_strip_whitespace=True)


class AgencyRecord(_Record):
    id: str = Field(pattern=ID_PATTERN)
    party_code: str = Field(pattern=r"^[A-Z]{2}$")
    name: str = Field(min_length=1, max_length=300)
    acronym: str = Field(min_length=1, max_length=30, pattern=ACRONYM_PATTERN)
    mandate_areas: list[MandateArea]
    updated_at: datetime


class OfficerRecord(_Record):
    id: str = Field(pattern=ID_PATTERN)
    kind: OfficerKind
    role_title: str = Field(min_length=1, max_length=300)
    person_name: str | None = Field(default=None, max_length=300)
    agency_id: str = Field(pattern=ID_PATTERN)
    host_party_code: str = Field(pattern=r"^[A-Z]{2}$")
    posting: str = Field(min_length=1, max_length=300)
    accreditation_status: Accreditation
    nominated_on: date
    accredited_on: date | None
    withdrawn_on: date | None


class AccreditationDecision(_Record):
    officer_id: str = Field(pattern=ID_PATTERN)
    status: Accreditation
    on: date


# publishing ---------------------------------------------------------------
def publish_agency(db: Session, agency: Agency, peers: list[str] | None = None) -> None:
    if agency.origin_node is None:
        record = AgencyRecord.model_validate(agency).model_dump(mode="json")
        enqueue(db, AGENCY_UPSERT, record, peers=peers)


def publish_officer(db: Session, officer: Officer, peers: list[str] | None = None) -> None:
    if officer.origin_node is None:
        record = OfficerRecord.model_validate(officer).model_dump(mode="json")
        enqueue(db, OFFICER_UPSERT, record, peers=peers)


def publish_directory(db: Session, own_party: str, peer_party: str) -> int:
    """Everything this node publishes, queued for one (new) peer, agencies first."""
    agencies = db.scalars(
        select(Agency).where(Agency.party_code == own_party, Agency.origin_node.is_(None))
    ).all()
    for agency in agencies:
        publish_agency(db, agency, peers=[peer_party])
    officers = db.scalars(
        select(Officer)
        .join(Agency, Agency.id == Officer.agency_id)
        .where(Agency.party_code == own_party, Officer.origin_node.is_(None))
        .order_by(Officer.id)
    ).all()
    for officer in officers:
        publish_officer(db, officer, peers=[peer_party])
    return len(agencies) + len(officers)


def send_decision(db: Session, officer: Officer, change: AccreditationChange, to: str) -> None:
    decision = AccreditationDecision(officer_id=officer.id, status=change.status, on=change.on)
    enqueue(db, ACCREDITATION_DECISION, decision.model_dump(mode="json"), peers=[to])


# receiving ------------------------------------------------------------------
def _foreign(existing: Agency | Officer | None, context: InboundContext) -> None:
    if existing is not None and existing.origin_node is None:
        raise PayloadRefused("policy_refused", "a peer may not overwrite this node's own record")


def apply_agency(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    record = AgencyRecord.model_validate(payload)
    if record.party_code != context.sender_party:
        raise PayloadRefused("policy_refused", "a node publishes only its own party's agencies")
    agency = db.get(Agency, record.id)
    _foreign(agency, context)
    clash = db.scalar(
        select(Agency.id).where(
            Agency.party_code == record.party_code,
            func.lower(Agency.acronym) == record.acronym.lower(),
            Agency.id != record.id,
        )
    )
    if clash is not None:
        raise PayloadRefused("invalid_payload", f"acronym {record.acronym} is already recorded")
    if agency is None:
        agency = Agency(id=record.id, party_code=record.party_code)
        db.add(agency)
    agency.name = record.name
    agency.acronym = record.acronym
    agency.mandate_areas = [area.value for area in record.mandate_areas]
    agency.origin_node = context.sender_node


def apply_officer(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    record = OfficerRecord.model_validate(payload)
    agency = db.get(Agency, record.agency_id)
    if agency is None or agency.party_code != context.sender_party:
        raise PayloadRefused("invalid_payload", "the officer's agency is not one of the sender's")
    officer = db.get(Officer, record.id)
    _foreign(officer, context)
    if officer is None:
        officer = Officer(id=record.id)
        db.add(officer)
    for field, value in record.model_dump().items():
        if field != "id":
            setattr(officer, field, value.value if hasattr(value, "value") else value)
    officer.origin_node = context.sender_node


def apply_decision(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    decision = AccreditationDecision.model_validate(payload)
    officer = db.get(Officer, decision.officer_id)
    if officer is None or officer.origin_node is not None:
        raise PayloadRefused("invalid_payload", f"no officer {decision.officer_id} of this node")
    if officer.host_party_code != context.sender_party:
        raise PayloadRefused("policy_refused", "only the host party decides accreditation")
    try:
        apply_step(officer, AccreditationChange(status=decision.status, on=decision.on))
    except LiaisonError as exc:
        raise PayloadRefused("invalid_payload", str(exc)) from exc
