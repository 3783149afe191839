"""Controlled deliveries: the plan coordinated on an exchange case of kind
``controlled_delivery``, and its timeline.

The plan's key is its case's id, which is the same on both nodes; so is each timeline
entry's id (a UUIDv7 made where the change was made), so a change applied twice is
applied once. Each party's authorisation is kept under its party code: a node records
only its own party's, and takes the other's only from the other's node.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liaison.kit import clock
from liaison.kit.db import Base
from liaison.models.types import UTCDateTime


class ControlledDelivery(Base):
    __tablename__ = "controlled_deliveries"

    case_id: Mapped[str] = mapped_column(
        ForeignKey("exchange_cases.id", ondelete="CASCADE"), primary_key=True
    )
    # [{"container", "vessel_imo", "air_waybill", "bill_of_lading"}], each optional
    consignments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    substance_cas: Mapped[str] = mapped_column(String(12))
    substance_name: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[float] = mapped_column(Float, default=0.0)
    unit: Mapped[str] = mapped_column(String(4))
    # [{"place", "mode", "handover_to"}], in travel order
    route: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    window_start: Mapped[date] = mapped_column(Date)
    window_end: Mapped[date] = mapped_column(Date)
    lead_agencies: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)  # party: agency
    # {party: {"authorised_by", "authorised_at", "legal_reference", "recorded_by"}}
    authorisations: Mapped[dict[str, dict[str, str]]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="proposed")
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class ControlledDeliveryEvent(Base):
    """One change to a plan: drafted or revised, authorised by a party, or a status."""

    __tablename__ = "controlled_delivery_events"
    __table_args__ = (Index("ix_controlled_delivery_events_case", "case_id", "at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(
        ForeignKey("controlled_deliveries.case_id", ondelete="CASCADE")
    )
    action: Mapped[str] = mapped_column(String(12))  # plan | authorise | status
    party: Mapped[str] = mapped_column(String(2))
    actor: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(12))  # the plan's status after the change
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # This node's change waiting to leave (``wire`` holds it) until its case has reached
    # the peer: a case whose first message is held for legal review is not there yet.
    waiting: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    wire: Mapped[dict[str, Any] | None] = mapped_column(JSON)
