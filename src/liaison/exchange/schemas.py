"""Pydantic models in and out of the exchange: compose, reply, forward, the envelope
payload that crosses the border, and what the API answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from liaison.exchange.entities import Entity
from liaison.exchange.recipients import RecipientStatus
from liaison.kit.inputs import ID_PATTERN, InputModel
from liaison.kit.plugin import N_
from liaison.policy.schemas import HandlingCode, OffenceCode, Tlp


class MessageType(StrEnum):
    REQUEST = "request"
    REPLY = "reply"
    DISCLOSURE = "disclosure"
    ALERT = "alert"
    ACKNOWLEDGEMENT = "acknowledgement"
    FOLLOW_UP = "follow_up"


class CaseKind(StrEnum):
    STANDARD = "standard"
    CONTROLLED_DELIVERY = "controlled_delivery"  # carries a plan (precursors.deliveries)


class ConsentStatus(StrEnum):
    """An originator's answer to a request to pass its information on (onward disclosure)."""

    PENDING = "pending"
    GRANTED = "granted"
    REFUSED = "refused"


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"


class MessageStatus(StrEnum):
    DRAFT = "draft"
    HELD_FOR_REVIEW = "held_for_review"
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    RECEIVED = "received"
    ANSWERED = "answered"
    REFUSED = "refused"
    PARTIAL = "partial"
    WITHDRAWN = "withdrawn"  # the legal reviewer refused it: it never left
    BLOCKED = "blocked"  # a multilateral copy the sender's policy blocked: it never left
    AWAITING_CONSENT = "awaiting_consent"  # a forward held until the originator consents


class LegalBasis(StrEnum):
    POLICE_COOPERATION = "police_cooperation"
    MLAT = "mlat"
    STATUTE = "statute"
    CONSENT = "consent"


class Outcome(StrEnum):
    """How a reply answers the request it replies to."""

    ANSWERED = "answered"
    PARTIAL = "partial"
    REFUSED = "refused"


class ReasonCode(StrEnum):
    """Why a request is refused or only partly answered."""

    NO_LEGAL_BASIS = "no_legal_basis"
    OUTSIDE_MANDATE = "outside_mandate"
    INFORMATION_NOT_HELD = "information_not_held"
    ONGOING_INVESTIGATION = "ongoing_investigation"
    NEEDS_MLAT = "needs_mlat"
    HUMAN_RIGHTS_RISK = "human_rights_risk"
    DISPROPORTIONATE = "disproportionate"
    THIRD_PARTY_INFORMATION = "third_party_information"
    OTHER = "other"


# Admiralty (NATO) grading: A completely reliable .. E unreliable, F cannot be judged;
# 1 confirmed .. 5 improbable, 6 cannot be judged.
RELIABILITY_PATTERN = r"^[A-F]$"


class Markings(InputModel):
    tlp: Tlp = Tlp.AMBER
    handling_code: HandlingCode = HandlingCode.INTELLIGENCE_ONLY
    source_reliability: str | None = Field(default=None, pattern=RELIABILITY_PATTERN)
    information_credibility: int | None = Field(default=None, ge=1, le=6)
    legal_basis: LegalBasis | None = None
    legal_basis_reference: str = Field(default="", max_length=300)
    mlat_reference: str | None = Field(default=None, max_length=200)
    purpose: str = Field(default="", max_length=300)
    named_recipients: list[str] = Field(default_factory=list, max_length=20)


class ComposeIn(InputModel):
    """A new case and its first message (request, disclosure or alert)."""

    case_title: str = Field(min_length=3, max_length=300)
    case_summary: str = Field(default="", max_length=5000)
    case_kind: CaseKind = CaseKind.STANDARD
    type: MessageType = MessageType.REQUEST
    from_agency_id: str = Field(pattern=ID_PATTERN)
    to_agency_id: str = Field(pattern=ID_PATTERN)
    to_agency_ids: list[Annotated[str, Field(pattern=ID_PATTERN)]] = Field(
        default_factory=list,
        max_length=10,
        description="a multilateral case: more recipient agencies, one at each other "
        "party; each party gets its own copy, decided and clocked on its own",
    )
    priority: Priority = Priority.NORMAL
    subject: str = Field(min_length=3, max_length=300)
    body: str = Field(default="", max_length=100_000)
    entities: list[Entity] = Field(default_factory=list, max_length=200)
    offences: list[OffenceCode] = Field(default_factory=list, max_length=20)
    markings: Markings = Field(default_factory=Markings)
    attachment_ids: list[str] = Field(default_factory=list, max_length=20)
    via_officer_ids: list[str] = Field(default_factory=list, max_length=5)
    incident_detected_at: datetime | None = Field(
        default=None,
        description="set when the message reports a cyber incident: when it was noticed "
        "(starts the CERT-In 6-hour reporting clock)",
    )

    @property
    def recipient_ids(self) -> list[str]:
        """``to_agency_id`` then ``to_agency_ids``, each once."""
        return list(dict.fromkeys([self.to_agency_id, *self.to_agency_ids]))


class ReplyIn(InputModel):
    """A reply, acknowledgement or follow-up in the thread of ``message_id``."""

    type: MessageType = MessageType.REPLY
    outcome: Outcome = Outcome.ANSWERED
    reason_code: ReasonCode | None = None
    reason_text: str = Field(default="", max_length=2000)
    subject: str = Field(default="", max_length=300)
    body: str = Field(default="", max_length=100_000)
    entities: list[Entity] = Field(default_factory=list, max_length=200)
    markings: Markings | None = None
    priority: Priority | None = None
    attachment_ids: list[str] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _reason_for_refusal(self) -> ReplyIn:
        if self.outcome is not Outcome.ANSWERED and self.reason_code is None:
            raise ValueError(N_("a refusal or partial answer needs a reason_code"))
        if self.type in (MessageType.REQUEST, MessageType.DISCLOSURE, MessageType.ALERT):
            raise ValueError(N_("a reply is of type reply, acknowledgement or follow_up"))
        return self


class ForwardIn(InputModel):
    to_agency_id: str = Field(pattern=ID_PATTERN)
    from_agency_id: str | None = Field(default=None, pattern=ID_PATTERN)
    note: str = Field(default="", max_length=5000)


class AssignIn(InputModel):
    username: str = Field(min_length=1, max_length=100)


class NoteIn(InputModel):
    text: str = Field(min_length=1, max_length=10_000)


class ClarificationIn(InputModel):
    question: str = Field(min_length=3, max_length=5000)


class ClarificationAnswerIn(InputModel):
    answer: str = Field(min_length=1, max_length=5000)


class DeconflictIn(InputModel):
    entities: list[Entity] = Field(default_factory=list, max_length=200)
    keys: list[str] = Field(default_factory=list, max_length=200)


# out -------------------------------------------------------------------------
class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class AttachmentOut(_Out):
    id: str
    message_id: str | None
    sha256: str
    size: int
    mime: str
    filename: str
    tlp: str
    handling_code: str
    created_at: datetime


class IncomingAttachmentOut(_Out):
    """An attachment the message names that is not here yet (or will not be)."""

    id: str
    filename: str
    mime: str
    size: int
    sha256: str
    tlp: str
    status: str  # arriving | failed
    received: int
    last_error: str | None


class MessageOut(_Out):
    id: str
    case_id: str
    type: str
    in_reply_to: str | None
    direction: str
    from_agency_id: str
    to_agency_id: str
    from_party: str
    to_party: str
    originator_party: str
    priority: str
    subject: str
    body: str
    entities: list[dict[str, Any]]
    offences: list[str]
    tlp: str
    handling_code: str
    source_reliability: str | None
    information_credibility: int | None
    legal_basis: str
    legal_basis_reference: str
    mlat_reference: str | None
    purpose: str
    named_recipients: list[str]
    status: str
    reason_code: str | None
    reason_text: str
    obligations: list[dict[str, Any]]
    created_by: str
    created_at: datetime
    sent_at: datetime | None
    received_at: datetime | None
    deadline_at: datetime | None
    paused_since: datetime | None
    pauses: list[dict[str, Any]]
    incident_detected_at: datetime | None = None
    attachments: list[AttachmentOut] = Field(default_factory=list)
    incoming_attachments: list[IncomingAttachmentOut] = Field(
        default_factory=list,
        description="attachments of an inbound message still arriving, or that failed",
    )


class InboxItem(_Out):
    id: str
    case_id: str
    case_reference: str
    case_kind: str = CaseKind.STANDARD.value
    type: str
    direction: str
    priority: str
    subject: str
    status: str
    tlp: str
    handling_code: str
    from_party: str
    to_party: str
    created_at: datetime
    received_at: datetime | None
    deadline_at: datetime | None
    paused_since: datetime | None = None
    due_state: str  # none | ok | due_soon | overdue | paused


class InboxPage(BaseModel):
    items: list[InboxItem]
    next_cursor: str | None


class NoteOut(_Out):
    id: str
    case_id: str
    author: str
    text: str
    created_at: datetime


class ClarificationOut(_Out):
    id: str
    message_id: str
    question: str
    asked_by: str
    asked_at: datetime
    answer: str | None
    answered_at: datetime | None


class CaseOut(_Out):
    id: str
    reference: str
    title: str
    summary: str
    parties: list[str]
    origin_party: str
    kind: str
    status: str
    assigned_to: str | None
    created_by: str
    created_at: datetime
    updated_at: datetime


class CaseDetail(CaseOut):
    messages: list[MessageOut]
    notes: list[NoteOut]
    clarifications: list[ClarificationOut]
    recipients: list[RecipientStatus] = Field(
        default_factory=list,
        description="per recipient party of what this node sent first in the case: "
        "answered / partial / refused / overdue / pending / blocked (its own clock each)",
    )


class DeconflictHit(BaseModel):
    """A match on one of the keys asked about. When the matching message is outside the
    caller's audience (TLP:RED or AMBER+STRICT) the hit says only that another holding
    exists and whom to contact (``restricted``, ``contact``): no case, message, label or
    title."""

    key: str
    restricted: bool = False
    contact: str | None = None
    case_id: str | None = None
    case_reference: str | None = None
    case_title: str | None = None
    origin_party: str | None = None
    label: str | None = None
    message_id: str | None = None
