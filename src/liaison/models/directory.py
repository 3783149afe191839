"""Directory: parties, agencies, liaison officers / points of contact, channels."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from liaison.kit import clock
from liaison.kit.db import Base
from liaison.kit.ids import new_id
from liaison.models.types import UTCDateTime


class Party(Base):
    __tablename__ = "parties"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # IANA zone its people see times in unless they choose another (None: UTC).
    time_zone: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class Agency(Base):
    __tablename__ = "agencies"
    __table_args__ = (UniqueConstraint("party_code", "acronym", name="party_acronym"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    party_code: Mapped[str] = mapped_column(ForeignKey("parties.code"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    acronym: Mapped[str] = mapped_column(String(30))
    mandate_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    # None for this node's own records; the publishing node's name for federated ones.
    origin_node: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    party: Mapped[Party] = relationship(lazy="raise")


class Officer(Base):
    """A liaison officer or a point of contact, identified by role title."""

    __tablename__ = "officers"
    __table_args__ = (Index("ix_officers_agency_status", "agency_id", "accreditation_status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(30))
    role_title: Mapped[str] = mapped_column(String(300))
    person_name: Mapped[str | None] = mapped_column(String(300))
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    host_party_code: Mapped[str] = mapped_column(ForeignKey("parties.code"), index=True)
    posting: Mapped[str] = mapped_column(String(300))
    accreditation_status: Mapped[str] = mapped_column(String(20), default="nominated")
    origin_node: Mapped[str | None] = mapped_column(String(100))
    nominated_on: Mapped[date] = mapped_column(Date)
    accredited_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    agency: Mapped[Agency] = relationship(lazy="raise")


class ContactChannel(Base):
    """A secure way to reach an officer (secure e-mail, phone, messaging system)."""

    __tablename__ = "contact_channels"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    officer_id: Mapped[str] = mapped_column(
        ForeignKey("officers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    address: Mapped[str] = mapped_column(String(300))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
