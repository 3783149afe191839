"""Federation: this node's keys, pinned peers and their keys, outbox, inbox, refusals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Sequence,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from liaison.kit import clock
from liaison.kit.db import Base
from liaison.kit.ids import new_id
from liaison.models.types import UTCDateTime


class NodeKey(Base):
    """One generation of this node's Ed25519 + X25519 keys; private half sealed at rest."""

    __tablename__ = "node_keys"

    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    verify_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    encryption_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    sealed_private: Mapped[bytes] = mapped_column(LargeBinary(200))
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    not_after: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)


class Peer(Base):
    """A pinned peer node: one per party."""

    __tablename__ = "peers"

    party_code: Mapped[str] = mapped_column(ForeignKey("parties.code"), primary_key=True)
    node_name: Mapped[str] = mapped_column(String(100))
    base_url: Mapped[str] = mapped_column(String(500))
    pinned_fingerprint: Mapped[str] = mapped_column(String(64))
    # Only the deliverer moves it, holding the peer's delivery cursor (see outbox.py).
    next_out_seq: Mapped[int] = mapped_column(BigInteger, default=1)
    last_in_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PeerKey(Base):
    __tablename__ = "peer_keys"

    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    peer_party: Mapped[str] = mapped_column(
        ForeignKey("peers.party_code", ondelete="CASCADE"), index=True
    )
    verify_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    encryption_key: Mapped[bytes] = mapped_column(LargeBinary(32))
    not_before: Mapped[datetime] = mapped_column(UTCDateTime)
    not_after: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(20))  # pinned | announced
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class DeliveryCursor(Base):
    """One row per peer; a worker holds it (FOR UPDATE SKIP LOCKED) while delivering."""

    __tablename__ = "delivery_cursors"

    peer_party: Mapped[str] = mapped_column(
        ForeignKey("peers.party_code", ondelete="CASCADE"), primary_key=True
    )
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


QUEUE_ORDER = Sequence("outbox_queue_order")


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("peer_party", "seq", name="uq_outbox_peer_seq"),
        Index("ix_outbox_peer_status_seq", "peer_party", "status", "seq"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    peer_party: Mapped[str] = mapped_column(ForeignKey("peers.party_code", ondelete="CASCADE"))
    # Assigned by the deliverer, under the peer's delivery cursor, once committed.
    seq: Mapped[int | None] = mapped_column(BigInteger)
    # Queue order for numbering: taken from a database sequence at INSERT (PostgreSQL),
    # so a transaction that starts after another committed always comes later, whatever
    # the clocks of the processes say. SQLite (one writer at a time) uses its rowid.
    queued: Mapped[int | None] = mapped_column(BigInteger, QUEUE_ORDER)
    type: Mapped[str] = mapped_column(String(100))
    payload: Mapped[str] = mapped_column(Text)
    sender_key_id: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receipt: Mapped[str | None] = mapped_column(Text)
    receipt_status: Mapped[str | None] = mapped_column(String(20))
    receipt_reason: Mapped[str | None] = mapped_column(String(40))


class InboxMessage(Base):
    """Every authenticated envelope from a peer, applied or refused, with its receipt."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("peer_party", "seq", name="uq_inbox_peer_seq"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    peer_party: Mapped[str] = mapped_column(ForeignKey("peers.party_code", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(BigInteger)
    type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    status: Mapped[str] = mapped_column(String(20))  # applied | refused
    reason: Mapped[str | None] = mapped_column(String(40))
    receipt: Mapped[str] = mapped_column(Text)


class Refusal(Base):
    """Envelopes refused before they could be attributed and sequenced (the attack log)."""

    __tablename__ = "federation_refusals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
    claimed_party: Mapped[str | None] = mapped_column(String(2))
    envelope_id: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text)
    remote_addr: Mapped[str] = mapped_column(String(64))
