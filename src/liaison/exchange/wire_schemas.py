"""What crosses the border: the ``exchange.message`` envelope payload and the
attachments it names."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from liaison.exchange.entities import Entity
from liaison.exchange.schemas import CaseKind, Markings, MessageType, Outcome, Priority, ReasonCode
from liaison.kit.inputs import ID_PATTERN, InputModel
from liaison.kit.plugin import N_
from liaison.policy.schemas import HandlingCode, OffenceCode, PartyCode, Tlp


# across the border ----------------------------------------------------------------
class AttachmentWire(InputModel):
    """An attachment as the message names it; the receiver pulls the content
    (``transfer: pull-v1``, exchange/transfer_wire.py)."""

    id: str = Field(pattern=ID_PATTERN)
    filename: str = Field(min_length=1, max_length=255)
    mime: str = Field(min_length=1, max_length=100)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    tlp: Tlp
    handling_code: HandlingCode
    transfer: Literal["pull-v1"]

    @model_validator(mode="before")
    @classmethod
    def _not_inline(cls, data: Any) -> Any:
        if isinstance(data, dict) and "content_b64" in data:
            raise ValueError(
                N_(
                    "the attachment's content is inline (the format before "
                    "protocol 1.1); this node pulls attachments: the sending "
                    "node must be upgraded"
                )
            )
        return data


class MessageWire(InputModel):
    """The ``exchange.message`` envelope payload."""

    case_id: str = Field(pattern=ID_PATTERN)
    case_reference: str = Field(min_length=1, max_length=40)
    case_title: str = Field(min_length=1, max_length=300)
    case_summary: str = Field(default="", max_length=5000)
    case_origin_party: PartyCode
    case_kind: CaseKind = CaseKind.STANDARD
    # a multilateral case names its co-recipient parties (party codes only)
    case_parties: list[PartyCode] = Field(default_factory=list, max_length=20)
    id: str = Field(pattern=ID_PATTERN)
    type: MessageType
    in_reply_to: str | None = Field(default=None, pattern=ID_PATTERN)
    outcome: Outcome | None = None
    reason_code: ReasonCode | None = None
    reason_text: str = Field(default="", max_length=2000)
    from_agency_id: str = Field(pattern=ID_PATTERN)
    to_agency_id: str = Field(pattern=ID_PATTERN)
    originator_party: PartyCode
    via_officer_ids: list[str] = Field(default_factory=list, max_length=5)
    priority: Priority
    subject: str = Field(min_length=1, max_length=300)
    body: str = Field(default="", max_length=100_000)
    entities: list[Entity] = Field(default_factory=list, max_length=200)
    offences: list[OffenceCode] = Field(default_factory=list, max_length=20)
    markings: Markings
    sent_at: datetime
    incident_detected_at: datetime | None = None
    attachments: list[AttachmentWire] = Field(default_factory=list, max_length=20)

    @field_validator("case_kind", mode="before")
    @classmethod
    def _known_kind(cls, value: Any) -> Any:
        known = [kind.value for kind in CaseKind]
        if value not in known:
            raise ValueError(
                f"unknown case kind {str(value)[:40]!r}: this node knows {', '.join(known)}"
            )
        return value
