"""Shared workplan: signed versions, proposals, tracked actions, progress, dialogue records.

A version's ``document`` is canonical JSON (sorted keys); once accepted it never changes.
``workplan_actions`` and ``workplan_milestones`` are the current version unpacked into
rows so the dashboard can aggregate with indexed queries.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, mapped_column

from liaison.kit import clock
from liaison.kit.db import Base
from liaison.kit.errors import Conflict
from liaison.kit.ids import new_id
from liaison.models.types import UTCDateTime


class WorkplanVersion(Base):
    __tablename__ = "workplan_versions"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)
    # accepted: the current plan is the highest accepted number.
    # pending: signed by the accepting node, waiting for the proposer's countersignature.
    state: Mapped[str] = mapped_column(String(20), index=True)
    proposal_id: Mapped[str | None] = mapped_column(String(36))
    basis: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@event.listens_for(WorkplanVersion, "before_update")
def _immutable(_mapper: object, _connection: object, target: WorkplanVersion) -> None:
    state = inspect(target)
    for name in ("document", "sha256", "number"):
        if state.attrs[name].history.has_changes():
            raise Conflict(
                f"workplan version {target.number} is immutable: propose a change instead"
            )


class WorkplanSignature(Base):
    """A node's Ed25519 signature over a version's hash."""

    __tablename__ = "workplan_signatures"
    __table_args__ = (UniqueConstraint("version_number", "party_code", name="version_party"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    version_number: Mapped[int] = mapped_column(
        ForeignKey("workplan_versions.number", ondelete="CASCADE")
    )
    party_code: Mapped[str] = mapped_column(String(2))
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(100))
    # For this node's own signature: when it was queued for the peer (None = not yet).
    shared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class WorkplanProposal(Base):
    __tablename__ = "workplan_proposals"
    __table_args__ = (Index("ix_workplan_proposals_status_created", "status", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    base_number: Mapped[int] = mapped_column(Integer)
    base_sha256: Mapped[str] = mapped_column(String(64))
    proposer_party: Mapped[str] = mapped_column(String(2))
    proposed_by: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    changes: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    counter_to: Mapped[str | None] = mapped_column(String(36))
    # open, accepted, rejected, countered, conflict, awaiting_countersignature
    status: Mapped[str] = mapped_column(String(30), default="open")
    reason: Mapped[str] = mapped_column(Text, default="")
    result_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WorkplanAction(Base):
    """An action of the current version, with its tracked status."""

    __tablename__ = "workplan_actions"
    __table_args__ = (Index("ix_workplan_actions_area_status", "area_key", "status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    area_key: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text)
    leads: Mapped[dict[str, str]] = mapped_column(JSON)
    deliverables: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    version_number: Mapped[int] = mapped_column(Integer)
    status_updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class WorkplanMilestone(Base):
    __tablename__ = "workplan_milestones"
    __table_args__ = (Index("ix_workplan_milestones_area_due", "area_key", "due", "done"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    action_id: Mapped[str] = mapped_column(
        ForeignKey("workplan_actions.id", ondelete="CASCADE"), index=True
    )
    area_key: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    due: Mapped[date] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)


class WorkplanProgress(Base):
    """A party's progress update on an action; shared with the peer when shareable."""

    __tablename__ = "workplan_progress"
    __table_args__ = (Index("ix_workplan_progress_action_reported", "action_id", "reported_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    action_id: Mapped[str] = mapped_column(String(36))
    party_code: Mapped[str] = mapped_column(String(2))
    author: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(20))
    evidence: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    shareable: Mapped[bool] = mapped_column(Boolean, default=True)
    origin_node: Mapped[str | None] = mapped_column(String(100))
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class DialogueMeeting(Base):
    __tablename__ = "dialogue_meetings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(300))
    # [{"party": "IN", "role": "National Security Adviser", "name": "..."}]
    participants: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    agenda: Mapped[list[str]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(300), default="")


class DialogueOutcome(Base):
    """An outcome or commitment of a meeting, linked to the workplan actions that carry it."""

    __tablename__ = "dialogue_outcomes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    meeting_id: Mapped[str] = mapped_column(
        ForeignKey("dialogue_meetings.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # outcome | commitment
    text: Mapped[str] = mapped_column(Text)
    action_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    shareable: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
