"""Policy: stored rule pack versions, the legal review queue, recorded assurances."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from liaison.kit import clock
from liaison.kit.db import Base
from liaison.kit.ids import new_id
from liaison.models.types import UTCDateTime


class PolicyPack(Base):
    """One version of a rule pack (its TOML source as loaded). One active per pack name."""

    __tablename__ = "policy_packs"
    __table_args__ = (
        UniqueConstraint("pack", "version", name="uq_policy_packs_pack_version"),
        Index("ix_policy_packs_active", "active", "pack"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    pack: Mapped[str] = mapped_column(String(5))
    version: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    rule_count: Mapped[int]
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    loaded_by: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    activated_by: Mapped[str | None] = mapped_column(String(200))
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ReviewItem(Base):
    """An item held for legal review, with the decision (rules, obligations) that held it."""

    __tablename__ = "policy_reviews"
    __table_args__ = (
        Index("ix_policy_reviews_status_created", "status", "created_at"),
        Index("ix_policy_reviews_object", "object_type", "object_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    object_type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str] = mapped_column(String(200))
    decision: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(30), default="held")
    requested_by: Mapped[str] = mapped_column(String(200))
    reviewer: Mapped[str | None] = mapped_column(String(200))
    reasons: Mapped[str | None] = mapped_column(Text)
    conditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    assurance_reference: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Assurance(Base):
    """A diplomatic assurance received (e.g. that the death penalty will not be sought)."""

    __tablename__ = "policy_assurances"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    reference: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    given_by: Mapped[str] = mapped_column(String(300))
    given_on: Mapped[date] = mapped_column(Date)
    text: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Who gave it (ISO alpha-2; None on assurances recorded before scopes existed, which
    # therefore cover nothing), what it covers and until when.
    party: Mapped[str | None] = mapped_column(String(2))
    scope: Mapped[str] = mapped_column(String(20), default="any", server_default="any")
    scope_value: Mapped[str] = mapped_column(String(200), default="", server_default="")
    expires_on: Mapped[date | None] = mapped_column(Date)


class PolicyObligation(Base):
    """An obligation a decision put on an item that someone must discharge (a CERT-In
    report, an assurance): open until discharged with when, by whom and a reference."""

    __tablename__ = "policy_obligations"
    __table_args__ = (
        Index("ix_policy_obligations_open", "discharged_at", "due"),
        Index("ix_policy_obligations_object", "object_type", "object_id"),
        Index("ix_policy_obligations_case", "case_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    object_type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str] = mapped_column(String(200))
    case_id: Mapped[str | None] = mapped_column(String(36))
    rule_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    citation: Mapped[str] = mapped_column(String(500))
    detail: Mapped[str] = mapped_column(Text)
    due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    discharged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    discharged_by: Mapped[str | None] = mapped_column(String(200))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # e.g. reported at
    reference: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="", server_default="")


class ProtectedPerson(Base):
    """An entry of the node's register of protected persons (imported from CSV): compose
    matches every person in an item against it by normalised name and date of birth."""

    __tablename__ = "policy_protected_persons"
    __table_args__ = (Index("ix_policy_protected_persons_name", "name_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date | None] = mapped_column(Date)
    protection_status: Mapped[str] = mapped_column(String(30))
    feared_country: Mapped[str] = mapped_column(String(2))
    reference: Mapped[str] = mapped_column(String(200))
    party_code: Mapped[str] = mapped_column(String(2))  # the node that keeps it
    imported_by: Mapped[str] = mapped_column(String(200))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
