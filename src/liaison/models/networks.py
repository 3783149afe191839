"""Crime networks: resolution records (one per resolvable entity of a message), the
clusters they resolve into, analysts' decisions, and the trained person model."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liaison.kit import clock
from liaison.kit.db import Base
from liaison.kit.ids import new_id
from liaison.models.types import UTCDateTime


class NetworkRecord(Base):
    """One resolvable entity of one exchange message, and the cluster it resolved to."""

    __tablename__ = "network_records"
    __table_args__ = (
        Index("ix_network_records_name_key", "name_key"),
        Index("ix_network_records_first_year", "first_key", "year"),
        Index("ix_network_records_last_year", "last_key", "year"),
        Index("ix_network_records_dob", "dob"),
        Index("ix_network_records_key", "key"),
    )

    id: Mapped[str] = mapped_column(String(50), primary_key=True)  # message id:index
    message_id: Mapped[str] = mapped_column(
        ForeignKey("exchange_messages.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(30))
    label: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300), default="")
    party: Mapped[str] = mapped_column(String(2))  # the country that reported it
    cluster_id: Mapped[str] = mapped_column(String(50), index=True)
    name_key: Mapped[str | None] = mapped_column(String(200))
    first_key: Mapped[str | None] = mapped_column(String(60))
    last_key: Mapped[str | None] = mapped_column(String(60))
    dob: Mapped[str | None] = mapped_column(String(10))
    year: Mapped[str | None] = mapped_column(String(4))
    person: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the model's row


class NetworkCluster(Base):
    """A resolved entity: the records that are one person (or one phone, account ...)."""

    __tablename__ = "network_clusters"

    id: Mapped[str] = mapped_column(String(50), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    label: Mapped[str] = mapped_column(String(300))
    size: Mapped[int] = mapped_column(Integer, default=1)
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # the joins that made it: [{a, b, weight, probability, levels: [{comparison, level, weight}]}]
    why: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class NetworkDecision(Base):
    """An analyst's word on two records: the same person, or not. Every run keeps it."""

    __tablename__ = "network_decisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    record_a: Mapped[str] = mapped_column(String(50), index=True)
    record_b: Mapped[str] = mapped_column(String(50), index=True)
    same: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class NetworkModel(Base):
    """The trained person model's weights (the latest row is used)."""

    __tablename__ = "network_models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    weights: Mapped[dict[str, Any]] = mapped_column(JSON)
    records: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
