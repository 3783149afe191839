"""Pydantic models in and out of the policy engine (fixed contract, see CONTRACTS.md).

``PolicySubject`` is everything a rule may look at; the domain that moves an item
builds one. ``Decision`` is what the engine answers: an effect, every rule that
fired (with its citation) and the obligations that ride on the item.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field

from liaison.policy import vocab


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"
    ONWARD = "onward"  # an item this node holds, passed on to another agency (forward)


class ItemKind(StrEnum):
    MESSAGE = "message"
    ATTACHMENT = "attachment"
    ENTITY = "entity"
    CYBER_OBJECT = "cyber_object"
    HITCHECK = "hitcheck"


class Tlp(StrEnum):
    CLEAR = "CLEAR"
    GREEN = "GREEN"
    AMBER = "AMBER"
    AMBER_STRICT = "AMBER+STRICT"
    RED = "RED"


class HandlingCode(StrEnum):
    INTELLIGENCE_ONLY = "intelligence_only"  # default police-to-police
    EVIDENCE_WITH_CONSENT = "evidence_with_consent"  # may become evidence with originator consent
    EVIDENCE = "evidence"  # for use as evidence (needs MLAT reference)
    NO_ONWARD_DISCLOSURE = "no_onward_disclosure"


class ProtectionStatus(StrEnum):
    NONE = "none"
    UNKNOWN = "unknown"
    REFUGEE_CLAIMANT = "refugee_claimant"
    PROTECTED_PERSON = "protected_person"


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


def _optional_party(value: str | None) -> str | None:
    return None if value is None else vocab.party_code(value)


PartyCode = Annotated[str, AfterValidator(vocab.party_code)]
OptionalParty = Annotated[
    str | None, BeforeValidator(_blank_is_none), AfterValidator(_optional_party)
]
OffenceCode = Annotated[str, AfterValidator(vocab.offence_code)]
ActivityBasis = Annotated[str, AfterValidator(vocab.activity_basis)]


class PersonFacts(BaseModel):
    """What the node knows about one person in an item (from the person entity)."""

    label: str = Field(default="", max_length=200, description="the name (explanations, register)")
    date_of_birth: date | None = Field(default=None, description="matched against the register")
    protection_status: ProtectionStatus = ProtectionStatus.NONE
    feared_country: OptionalParty = None
    mistreatment_risk: bool = False
    activity_basis: list[ActivityBasis] = Field(default_factory=list, max_length=10)


class PolicySubject(BaseModel):
    """Everything the rules may look at; built by the domain that moves the item."""

    direction: Direction
    kind: ItemKind
    sender_party: PartyCode = Field(description="ISO alpha-2, e.g. CA")
    recipient_party: PartyCode = Field(
        description="the party the item goes to (inbound: sender_party is the peer)"
    )
    originator_party: PartyCode = Field(description="who first produced the information")
    message_type: str | None = Field(
        default=None, description="request|reply|disclosure|alert|acknowledgement|follow_up"
    )
    tlp: Tlp
    handling_code: HandlingCode
    legal_basis: str | None = Field(
        default=None, description="e.g. police_cooperation, mlat, statute"
    )
    legal_basis_reference: str | None = Field(
        default=None, description="free text: article / statute section"
    )
    mlat_reference: str | None = None
    purpose: str | None = None
    contains_personal_data: bool = False
    offences: list[OffenceCode] = Field(
        default_factory=list,
        max_length=20,
        description="offence codes, e.g. drug_trafficking, ndps_31a_repeat, murder, terrorism",
    )
    death_penalty_assurance: str | None = Field(
        default=None,
        max_length=100,
        description="reference of a recorded assurance; enforce keeps it only if the "
        "assurance is recorded, unexpired and covers the item",
    )
    case_reference: str | None = Field(
        default=None, max_length=100, description="the case the item belongs to (scopes)"
    )
    mistreatment_risk: bool = False
    mistreatment_determination: str | None = Field(
        default=None, description="recorded legal-review determination"
    )
    protection_status: ProtectionStatus = ProtectionStatus.NONE
    feared_country: OptionalParty = Field(
        default=None, description="ISO alpha-2 of the country the person fears return to"
    )
    activity_basis: list[ActivityBasis] = Field(
        default_factory=list,
        max_length=10,
        description="lawful_advocacy, protest, dissent, violence, crime, ...",
    )
    onward_recipient_party: OptionalParty = Field(
        default=None, description="set when forwarding to a third party"
    )
    persons: list[PersonFacts] = Field(
        default_factory=list,
        max_length=200,
        description="each person in the item with what is known about them (entities)",
    )
    originator_consent: bool = False
    passed_on_to: str | None = Field(
        default=None,
        max_length=200,
        description="forward, reply or release: the agency or party the item is passed to",
    )
    outside_named_recipients: bool = Field(
        default=False, description="it goes to someone not among its TLP:RED named recipients"
    )
    outside_receiving_organisation: bool = Field(
        default=False, description="it would leave the organisation that received it"
    )
    cyber_incident: bool = False
    incident_detected_at: datetime | None = None


class Effect(StrEnum):
    ALLOW = "allow"
    ALLOW_WITH_OBLIGATIONS = "allow_with_obligations"
    BLOCK = "block"


class ObligationKind(StrEnum):
    LEGAL_REVIEW = "legal_review"
    ASSURANCE_REQUIRED = "assurance_required"
    REDACT_FIELDS = "redact_fields"
    RETAIN_UNTIL = "retain_until"
    NO_ONWARD_DISCLOSURE = "no_onward_disclosure"
    INTELLIGENCE_ONLY = "intelligence_only"
    REPORT_BY = "report_by"
    RECORD_DISCLOSURE = "record_disclosure"  # extension: keep a disclosure record (SCIDA s.9)


REVIEW_KINDS = frozenset({ObligationKind.LEGAL_REVIEW, ObligationKind.ASSURANCE_REQUIRED})


class RuleHit(BaseModel):
    rule_id: str
    pack: str
    pack_version: str
    effect: str  # "block" or "obligation"
    citation: str
    explanation: str


class Obligation(BaseModel):
    kind: ObligationKind
    rule_id: str
    citation: str
    detail: str
    fields: list[str] = Field(default_factory=list)
    due: datetime | None = None


class RuleConsidered(BaseModel):
    """A rule that was evaluated but did not apply (explain only)."""

    rule_id: str
    pack: str
    pack_version: str
    citation: str
    description: str


class Decision(BaseModel):
    effect: Effect
    rules: list[RuleHit]
    obligations: list[Obligation]
    not_applicable: list[RuleConsidered] = Field(default_factory=list)

    @property
    def rule_ids(self) -> list[str]:
        return [hit.rule_id for hit in self.rules]

    def holds_for_review(self) -> bool:
        """True when any obligation needs a legal reviewer (review or assurance)."""
        return any(ob.kind in REVIEW_KINDS for ob in self.obligations)
