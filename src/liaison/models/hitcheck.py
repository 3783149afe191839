"""Hit/no-hit: the answerer's blinded index, the querier's copy of a peer's, and records.

No table holds a plaintext identifier: the index holds 8-byte tags (an oblivious PRF
of the identifier under this node's secret scalar) and pointers to the exchange
entity row they came from; queries and answers hold counts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from liaison.kit import clock
from liaison.kit.db import Base
from liaison.kit.ids import new_id
from liaison.models.types import UTCDateTime


class HitcheckState(Base):
    """This node's index state (one row): key epoch, change version, indexing cursor."""

    __tablename__ = "hitcheck_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    epoch: Mapped[int] = mapped_column(Integer, default=1)
    version: Mapped[int] = mapped_column(Integer, default=0)
    cursor: Mapped[int] = mapped_column(Integer, default=0)  # last exchange entity row seen
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class HitcheckIndexEntry(Base):
    """One tag of this node's blinded index; removed entries stay as tombstones so a
    peer's copy can be brought up to date by difference."""

    __tablename__ = "hitcheck_index"
    __table_args__ = (
        Index("ix_hitcheck_index_epoch_added", "epoch", "added_in"),
        Index("ix_hitcheck_index_epoch_removed", "epoch", "removed_in"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    epoch: Mapped[int] = mapped_column(Integer)
    tag: Mapped[bytes] = mapped_column(LargeBinary(8), index=True)
    category: Mapped[str] = mapped_column(String(20))
    entity_row: Mapped[int] = mapped_column(Integer, index=True)
    message_id: Mapped[str] = mapped_column(String(36), index=True)
    added_in: Mapped[int] = mapped_column(Integer)
    removed_in: Mapped[int | None] = mapped_column(Integer)


class HitcheckPeerTag(Base):
    """The querier's copy of a peer's index (tags only)."""

    __tablename__ = "hitcheck_peer_tags"

    peer_party: Mapped[str] = mapped_column(String(2), primary_key=True)
    tag: Mapped[bytes] = mapped_column(LargeBinary(8), primary_key=True)


class HitcheckPeerSync(Base):
    """How far the copy of a peer's index goes (its epoch and version)."""

    __tablename__ = "hitcheck_peer_sync"

    peer_party: Mapped[str] = mapped_column(String(2), primary_key=True)
    epoch: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=0)
    size: Mapped[int] = mapped_column(Integer, default=0)
    synced_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class HitcheckQuery(Base):
    """A check this node asked (querier side): who, why, how many, how many hits."""

    __tablename__ = "hitcheck_queries"
    __table_args__ = (
        Index("ix_hitcheck_queries_user_at", "username", "created_at"),
        Index("ix_hitcheck_queries_agency_at", "agency_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    peer_party: Mapped[str] = mapped_column(String(2))
    username: Mapped[str] = mapped_column(String(120))
    agency_id: Mapped[str | None] = mapped_column(String(36))
    purpose: Mapped[str] = mapped_column(String(300))
    legal_basis: Mapped[str] = mapped_column(String(40))
    count: Mapped[int] = mapped_column(Integer)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class HitcheckAnswer(Base):
    """A peer's check this node answered. The id is the query envelope's: a replay
    collides with it. Counts only: never an identifier."""

    __tablename__ = "hitcheck_answers"
    __table_args__ = (Index("ix_hitcheck_answers_peer_at", "peer_party", "received_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    peer_party: Mapped[str] = mapped_column(String(2))
    purpose: Mapped[str] = mapped_column(String(300))
    legal_basis: Mapped[str] = mapped_column(String(40))
    count: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class HitcheckConfirmation(Base):
    """A human on the answering side confirmed (or rejected) that a record matches a
    follow-up request's identifier (Prüm II): only then does core data move."""

    __tablename__ = "hitcheck_confirmations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    message_id: Mapped[str] = mapped_column(String(36), index=True)
    request_id: Mapped[str | None] = mapped_column(String(36))
    confirmed: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class HitcheckBulkJob(Base):
    """A bulk CSV check running in the background (querier side): its progress for the
    page that polls it, and when done the result the officer downloads. The result
    holds the officer's own rows with hit / no hit: never anything of the peer's."""

    __tablename__ = "hitcheck_bulk_jobs"
    __table_args__ = (Index("ix_hitcheck_bulk_jobs_user_at", "username", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(120))
    filename: Mapped[str] = mapped_column(String(200), default="")
    total: Mapped[int] = mapped_column(Integer)
    done: Mapped[int] = mapped_column(Integer, default=0)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default="running")
    error: Mapped[str | None] = mapped_column(Text)
    result_json: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
