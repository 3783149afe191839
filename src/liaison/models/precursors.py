"""Fentanyl precursors: the substance register, pre-export notifications (PEN), incidents
(suspicious orders and shipments, stopped shipments, seizures, controlled deliveries) and
the monthly roll-up the dashboard reads.

A notification's id is UUIDv7 and crosses the border unchanged: the exporting node's
copy (direction ``out``) and the importing node's (``in``) share it. ``respond_by`` is
set by the exporting party and travels with the notification, so both nodes flag the
same silence.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from liaison.kit import clock
from liaison.kit.db import Base
from liaison.kit.ids import new_id
from liaison.models.types import UTCDateTime


class PrecursorSubstance(Base):
    __tablename__ = "precursor_substances"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    cas: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    synonyms: Mapped[list[str]] = mapped_column(JSON, default=list)
    # table_i (INCB Table I), salt (of a Table I substance), watch (designer precursor)
    category: Mapped[str] = mapped_column(String(20), index=True)
    parent_cas: Mapped[str | None] = mapped_column(String(12))
    family: Mapped[str] = mapped_column(String(100), default="")
    hs_code: Mapped[str] = mapped_column(String(12), default="")
    unit: Mapped[str] = mapped_column(String(4), default="kg")  # kg (solids) or L (liquids)
    # {"CA": {"status": "controlled", "reference": "..."}, "IN": {...}}
    control: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(120), default="seed")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class PrecursorNotice(Base):
    """A pre-export notification, on the exporting node (out) or the importing node (in)."""

    __tablename__ = "precursor_notices"
    __table_args__ = (
        Index("ix_precursor_notices_open", "status", "respond_by"),
        Index("ix_precursor_notices_direction", "direction", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(60), index=True)
    direction: Mapped[str] = mapped_column(String(3))  # out | in
    exporting_party: Mapped[str] = mapped_column(String(2))
    importing_party: Mapped[str] = mapped_column(String(2))
    exporter: Mapped[str] = mapped_column(String(200))
    exporter_country: Mapped[str] = mapped_column(String(2), default="")
    importer: Mapped[str] = mapped_column(String(200))
    consignee: Mapped[str] = mapped_column(String(200), default="")
    substance_cas: Mapped[str] = mapped_column(String(12), index=True)
    substance_name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(4))
    purpose: Mapped[str] = mapped_column(String(300))
    transit_points: Mapped[list[str]] = mapped_column(JSON, default=list)
    route: Mapped[str] = mapped_column(String(20))  # "IN-CA", "IN-AE-CA": summary for flows
    point_of_entry: Mapped[str] = mapped_column(String(120))
    dispatch_date: Mapped[date] = mapped_column(Date)
    licences: Mapped[list[str]] = mapped_column(JSON, default=list)
    container: Mapped[str | None] = mapped_column(String(11))
    vessel_imo: Mapped[str | None] = mapped_column(String(12))
    vessel_name: Mapped[str] = mapped_column(String(200), default="")
    tlp: Mapped[str] = mapped_column(String(15))
    handling_code: Mapped[str] = mapped_column(String(30))
    legal_basis: Mapped[str] = mapped_column(String(40))
    legal_basis_reference: Mapped[str] = mapped_column(String(300), default="")
    # sent | received | legitimate | objection | info_requested
    status: Mapped[str] = mapped_column(String(20))
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime)
    answer_reason: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str] = mapped_column(String(120), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    overdue_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    case_id: Mapped[str | None] = mapped_column(String(36), index=True)
    import_batch: Mapped[str | None] = mapped_column(String(36), index=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class PrecursorIncident(Base):
    """A suspicious order or shipment (PICS-like alert), a stopped shipment, a seizure,
    or a controlled delivery being coordinated."""

    __tablename__ = "precursor_incidents"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    party: Mapped[str] = mapped_column(String(2))
    substance_cas: Mapped[str] = mapped_column(String(12), index=True)
    substance_name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[float] = mapped_column(Float, default=0.0)
    unit: Mapped[str] = mapped_column(String(4))
    diversion_method: Mapped[str] = mapped_column(String(40), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    occurred_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    exporter: Mapped[str] = mapped_column(String(200), default="")
    consignee: Mapped[str] = mapped_column(String(200), default="")
    container: Mapped[str | None] = mapped_column(String(11))
    vessel_imo: Mapped[str | None] = mapped_column(String(12))
    notice_id: Mapped[str | None] = mapped_column(String(36), index=True)
    case_id: Mapped[str | None] = mapped_column(String(36), index=True)
    tlp: Mapped[str] = mapped_column(String(15), default="AMBER")
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class PrecursorMonthly(Base):
    """Notifications per month, route and substance, kept as they are written, so the
    dashboard reads a few hundred rows however many notifications there are."""

    __tablename__ = "precursor_monthly"
    __table_args__ = (
        UniqueConstraint("month", "exporting_party", "importing_party", "route", "substance_cas"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month: Mapped[str] = mapped_column(String(7))  # 2026-02
    exporting_party: Mapped[str] = mapped_column(String(2))
    importing_party: Mapped[str] = mapped_column(String(2))
    route: Mapped[str] = mapped_column(String(20))
    substance_cas: Mapped[str] = mapped_column(String(12))
    notices: Mapped[int] = mapped_column(Integer, default=0)
    quantity: Mapped[float] = mapped_column(Float, default=0.0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    objections: Mapped[int] = mapped_column(Integer, default=0)
    info_requests: Mapped[int] = mapped_column(Integer, default=0)
    response_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    overdue: Mapped[int] = mapped_column(Integer, default=0)
