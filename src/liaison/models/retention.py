"""Retention: periods per party and category, legal holds, tombstones, deletion requests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from liaison.kit import clock
from liaison.kit.db import Base
from liaison.kit.ids import new_id
from liaison.models.types import UTCDateTime


class RetentionPeriod(Base):
    """How long this node keeps one category of data that originated with ``party_code``."""

    __tablename__ = "retention_periods"
    __table_args__ = (
        UniqueConstraint("party_code", "category", name="uq_retention_periods_party_category"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    party_code: Mapped[str] = mapped_column(String(2))
    category: Mapped[str] = mapped_column(String(100))
    days: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class LegalHold(Base):
    """While active (not released), the object is neither purged nor erased on request."""

    __tablename__ = "legal_holds"
    __table_args__ = (Index("ix_legal_holds_object", "object_type", "object_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    object_type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[str] = mapped_column(String(200))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    released_by: Mapped[str | None] = mapped_column(String(200))
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Tombstone(Base):
    """What remains of an erased object: that it existed, whose it was, when and why erased."""

    __tablename__ = "retention_tombstones"
    __table_args__ = (
        UniqueConstraint("object_type", "object_id", name="uq_retention_tombstones_object"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    object_type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str] = mapped_column(String(200))
    origin_party: Mapped[str] = mapped_column(String(2))
    reason: Mapped[str] = mapped_column(String(40))  # retention | deletion_request
    request_id: Mapped[str | None] = mapped_column(String(36))
    summary: Mapped[str] = mapped_column(Text)  # canonical JSON, no personal data
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class DeletionRequest(Base):
    """An originator's request to erase what it shared, and the certificate that answers it.

    ``direction`` outbound: this node asked ``peer_party``; inbound: the peer asked us.
    """

    __tablename__ = "deletion_requests"
    __table_args__ = (Index("ix_deletion_requests_object", "object_type", "object_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    direction: Mapped[str] = mapped_column(String(10))
    peer_party: Mapped[str] = mapped_column(String(2))
    object_type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # sent | held | erased | not_found (outbound ends at the certificate's outcome)
    status: Mapped[str] = mapped_column(String(20))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    certificate: Mapped[str | None] = mapped_column(Text)  # signed JSON, as issued
    certificate_verified: Mapped[bool] = mapped_column(Boolean, default=False)
