"""Information exchange: cases, messages (with markings), entity index, attachments,
internal notes and clarification requests.

A case id and a message id are UUIDv7 and cross the border unchanged, so a thread
has the same case id and message ids on both nodes. Markings are columns on the
message and on each attachment; they travel in the envelope.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from liaison.kit import clock
from liaison.kit.db import Base
from liaison.kit.ids import new_id
from liaison.models.types import UTCDateTime


class Case(Base):
    __tablename__ = "exchange_cases"
    __table_args__ = (Index("ix_exchange_cases_status_updated", "status", "updated_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    parties: Mapped[list[str]] = mapped_column(JSON, default=list)
    origin_party: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(10), default="open")
    # standard | controlled_delivery; set when the case is opened, travels with it
    kind: Mapped[str] = mapped_column(String(20), default="standard", server_default="standard")
    assigned_to: Mapped[str | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Message(Base):
    __tablename__ = "exchange_messages"
    __table_args__ = (
        Index("ix_exchange_messages_inbox", "direction", "status", "id"),
        Index("ix_exchange_messages_status", "status", "priority", "id"),
        Index("ix_exchange_messages_to_agency", "to_agency_id", "id"),
        Index("ix_exchange_messages_from_agency", "from_agency_id", "id"),
        Index("ix_exchange_messages_deadline", "deadline_at"),
        Index("ix_exchange_messages_case", "case_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("exchange_cases.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(20))
    in_reply_to: Mapped[str | None] = mapped_column(String(36), index=True)
    direction: Mapped[str] = mapped_column(String(5))  # in | out | local
    from_agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    to_agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    from_party: Mapped[str] = mapped_column(String(2))
    to_party: Mapped[str] = mapped_column(String(2))
    originator_party: Mapped[str] = mapped_column(String(2))
    via_officer_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    priority: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    entities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    offences: Mapped[list[str]] = mapped_column(JSON, default=list)
    contains_personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    # markings
    tlp: Mapped[str] = mapped_column(String(15))
    handling_code: Mapped[str] = mapped_column(String(30))
    source_reliability: Mapped[str | None] = mapped_column(String(1))
    information_credibility: Mapped[int | None] = mapped_column(Integer)
    legal_basis: Mapped[str] = mapped_column(String(40))
    legal_basis_reference: Mapped[str] = mapped_column(String(300), default="")
    mlat_reference: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(300))
    named_recipients: Mapped[list[str]] = mapped_column(JSON, default=list)  # agency ids
    # set when the message reports a cyber incident: when it was noticed (CERT-In clock)
    incident_detected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # lifecycle
    status: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(10))  # replies: answered|partial|refused
    reason_code: Mapped[str | None] = mapped_column(String(40))
    reason_text: Mapped[str] = mapped_column(Text, default="")
    obligations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # deadline clock (see exchange/deadlines.py)
    window_seconds: Mapped[int | None] = mapped_column(Integer)
    deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pauses: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    due_soon_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # lowercased subject + body + entity labels/keys, for search (LIKE on both backends)
    search_text: Mapped[str] = mapped_column(Text, default="")


class MessageEntity(Base):
    """One row per entity match key, for deconfliction."""

    __tablename__ = "exchange_message_entities"
    __table_args__ = (Index("ix_exchange_message_entities_key", "key", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(
        ForeignKey("exchange_messages.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[str] = mapped_column(ForeignKey("exchange_cases.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30))
    label: Mapped[str] = mapped_column(String(300))


class Attachment(Base):
    __tablename__ = "exchange_attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    message_id: Mapped[str | None] = mapped_column(
        ForeignKey("exchange_messages.id", ondelete="CASCADE"), index=True
    )
    blob_id: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    tlp: Mapped[str] = mapped_column(String(15))
    handling_code: Mapped[str] = mapped_column(String(30))
    uploaded_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class InternalNote(Base):
    """A note on a case for this node's staff; never leaves the node."""

    __tablename__ = "exchange_notes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(
        ForeignKey("exchange_cases.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Clarification(Base):
    """A documented request for clarification on a received request: pauses its clock."""

    __tablename__ = "exchange_clarifications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    message_id: Mapped[str] = mapped_column(
        ForeignKey("exchange_messages.id", ondelete="CASCADE"), index=True
    )
    question_message_id: Mapped[str | None] = mapped_column(String(36), index=True)
    question: Mapped[str] = mapped_column(Text)
    asked_by: Mapped[str] = mapped_column(String(120))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AttachmentTransfer(Base):
    """An inbound attachment being pulled from the sending node, chunk by chunk.

    ``received`` plaintext bytes are verified and kept encrypted in a partial file of
    ``part_bytes`` bytes; a pass resumes there. ``status``: ``arriving`` (pulling,
    retried with backoff), ``failed`` (will not complete; ``last_error`` says why).
    Once complete and scanned the row is deleted and the ``Attachment`` exists.
    """

    __tablename__ = "exchange_attachment_transfers"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the attachment's id
    message_id: Mapped[str] = mapped_column(
        ForeignKey("exchange_messages.id", ondelete="CASCADE"), index=True
    )
    peer_party: Mapped[str] = mapped_column(String(2))
    filename: Mapped[str] = mapped_column(String(255))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    tlp: Mapped[str] = mapped_column(String(15))
    handling_code: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(10), default="arriving")
    received: Mapped[int] = mapped_column(Integer, default=0)
    part_bytes: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (Index("ix_exchange_attachment_transfers_due", "status", "next_attempt_at"),)
