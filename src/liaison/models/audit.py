"""Audit: the append-only hash-chained log, its chain head and signed checkpoints."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from liaison.kit import clock
from liaison.kit.db import Base
from liaison.kit.ids import new_id
from liaison.models.types import UTCDateTime

GENESIS_HASH = "0" * 64


class AuditJsonFields:
    """``rule_ids`` and ``detail`` read back from their canonical JSON text (the exact
    text that was hashed): for a stored entry and for one just recorded alike."""

    if TYPE_CHECKING:
        rule_ids_json: str
        detail_json: str

    @property
    def rule_ids(self) -> list[str]:
        value: list[str] = json.loads(self.rule_ids_json)
        return value

    @property
    def detail(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.detail_json)
        return value


class AuditEntry(AuditJsonFields, Base):
    """One audit record. Never updated or deleted; ``entry_hash`` chains it to the last.

    ``rule_ids`` and ``detail`` are stored as canonical JSON text (the exact bytes that
    were hashed) and read back through the ``rule_ids`` / ``detail`` properties.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_actor_sequence", "actor", "sequence"),
        Index("ix_audit_log_action_sequence", "action", "sequence"),
        Index("ix_audit_log_object", "object_type", "object_id", "sequence"),
    )

    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    object_type: Mapped[str] = mapped_column(String(100))
    object_id: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str | None] = mapped_column(String(40))
    rule_ids_json: Mapped[str] = mapped_column("rule_ids", Text)
    detail_json: Mapped[str] = mapped_column("detail", Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditChainHead(Base):
    """A single row (id 1): the last sequence and hash. Writers lock it to append."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sequence: Mapped[int] = mapped_column(BigInteger, default=0)
    head_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)


class AuditCheckpoint(Base):
    """(sequence, head hash) of a party's chain, signed by that party's node.

    Rows for this node's own chain and for each peer's chain (received over the channel).
    """

    __tablename__ = "audit_checkpoints"
    __table_args__ = (
        UniqueConstraint("chain_party", "sequence", name="uq_audit_checkpoints_chain_sequence"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    chain_party: Mapped[str] = mapped_column(String(2))
    sequence: Mapped[int] = mapped_column(BigInteger)
    head_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class AuditCountersignature(Base):
    """A party's signature over someone's checkpoint: 'I saw this head at this sequence'."""

    __tablename__ = "audit_countersignatures"
    __table_args__ = (
        UniqueConstraint(
            "checkpoint_id", "party", name="uq_audit_countersignatures_checkpoint_party"
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    checkpoint_id: Mapped[str] = mapped_column(
        ForeignKey("audit_checkpoints.id", ondelete="CASCADE"), index=True
    )
    party: Mapped[str] = mapped_column(String(2))
    key_id: Mapped[str] = mapped_column(String(16))
    signature: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
