"""Restores of this node from a backup, and the resynchronisation asked of each peer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liaison.kit import clock
from liaison.kit.db import Base
from liaison.kit.ids import new_id
from liaison.models.types import UTCDateTime


class RestoreEvent(Base):
    """One ``liaison restore``: which backup, when; recorded in the audit chain too."""

    __tablename__ = "restore_events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    restored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    backup_created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    backup_revision: Mapped[str] = mapped_column(String(100))
    backup_audit_sequence: Mapped[int] = mapped_column(BigInteger)


class PeerResync(Base):
    """A restored node asks each peer, before anything else goes to it, to re-send what
    the restore lost and to say the last sequence it received from this node."""

    __tablename__ = "peer_resyncs"

    restore_id: Mapped[str] = mapped_column(
        ForeignKey("restore_events.id", ondelete="CASCADE"), primary_key=True
    )
    peer_party: Mapped[str] = mapped_column(
        ForeignKey("peers.party_code", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | done
    applied_through: Mapped[int] = mapped_column(BigInteger)  # our last_in_seq at restore
    sent_through: Mapped[int] = mapped_column(BigInteger)  # our next_out_seq - 1 at restore
    peer_received_through: Mapped[int | None] = mapped_column(BigInteger)
    resent: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
