"""Checkpoints: (sequence, head hash) of this node's chain, signed by this node and
countersigned by each peer; each node keeps the other's.

This node signs a checkpoint and sends it ("audit.checkpoint"); the peer checks the
signature, keeps the checkpoint, countersigns it and sends the countersignature back
("audit.countersign"). A peer refuses a checkpoint that contradicts one it already
holds (same sequence, other hash): a forked or rewritten chain is evidence at once.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import AwareDatetime, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.federation import keys
from liaison.federation.outbox import enqueue
from liaison.kit import clock
from liaison.kit.inputs import InputModel
from liaison.kit.plugin import InboundContext, PayloadRefused
from liaison.ledger import signing
from liaison.ledger.chain import format_at
from liaison.ledger.service import HEAD_ID
from liaison.ledger.statements import CHECKPOINT_TAG, counter_statement, statement
from liaison.models import AuditChainHead, AuditCheckpoint, AuditCountersignature, AuditEntry

CHECKPOINT = "audit.checkpoint"
COUNTERSIGN = "audit.countersign"
_HASH = r"^[0-9a-f]{64}$"
_PARTY = r"^[A-Z]{2}$"
_KEY = r"^[0-9a-f]{16}$"
_SIG = r"^[A-Za-z0-9_-]{86}$"


def last_own(db: Session, party: str) -> AuditCheckpoint | None:
    return db.scalar(
        select(AuditCheckpoint)
        .where(AuditCheckpoint.chain_party == party)
        .order_by(AuditCheckpoint.sequence.desc())
        .limit(1)
    )


def create(db: Session, settings: Settings) -> AuditCheckpoint | None:
    """Sign the current head and send it to every peer; None if nothing new since the last."""
    # Locked: appends wait, and a second worker finds this checkpoint already made.
    head = db.scalars(
        select(AuditChainHead).where(AuditChainHead.id == HEAD_ID).with_for_update()
    ).one()
    last = last_own(db, settings.party)
    if head.sequence == 0 or (last is not None and last.sequence >= head.sequence):
        return None
    pair = keys.keypair(db, settings)
    cp = AuditCheckpoint(
        chain_party=settings.party,
        sequence=head.sequence,
        head_hash=head.head_hash,
        at=clock.now(),
        key_id=pair.public.key_id,
        signature="",
    )
    cp.signature = signing.sign(pair, statement(cp))
    db.add(cp)
    db.flush()
    enqueue(db, CHECKPOINT, {**statement(cp), "signature": cp.signature})
    return cp


def due(db: Session, settings: Settings) -> bool:
    """Every ``audit_checkpoint_every`` entries, or ``audit_checkpoint_minutes`` after the
    last checkpoint if anything was recorded since."""
    head_sequence = db.scalar(select(AuditChainHead.sequence).where(AuditChainHead.id == HEAD_ID))
    last = last_own(db, settings.party)
    done = last.sequence if last else 0
    new = (head_sequence or 0) - done
    if new <= 0:
        return False
    if new >= settings.audit_checkpoint_every:
        return True
    # The period runs from the last checkpoint, or from the first entry ever recorded.
    since = last.at if last else db.scalar(select(AuditEntry.at).where(AuditEntry.sequence == 1))
    period = timedelta(minutes=settings.audit_checkpoint_minutes)
    return since is not None and clock.now() - since >= period


class CheckpointIn(InputModel):
    v: str = Field(pattern=f"^{CHECKPOINT_TAG}$")
    party: str = Field(pattern=_PARTY)
    sequence: int = Field(ge=1, le=2**63 - 1)
    head_hash: str = Field(pattern=_HASH)
    at: AwareDatetime
    key_id: str = Field(pattern=_KEY)
    signature: str = Field(pattern=_SIG)


class CountersignIn(InputModel):
    party: str = Field(pattern=_PARTY)  # the chain's owner (the receiver of this message)
    sequence: int = Field(ge=1, le=2**63 - 1)
    head_hash: str = Field(pattern=_HASH)
    countersigner: str = Field(pattern=_PARTY)
    key_id: str = Field(pattern=_KEY)
    at: AwareDatetime
    signature: str = Field(pattern=_SIG)


def receive_checkpoint(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    data = CheckpointIn.model_validate(payload)
    if data.party != context.sender_party:
        raise PayloadRefused("policy_refused", "a node sends checkpoints of its own chain only")
    cp = AuditCheckpoint(
        chain_party=data.party,
        sequence=data.sequence,
        head_hash=data.head_hash,
        at=data.at,
        key_id=data.key_id,
        signature=data.signature,
    )
    own = context.settings.party
    if not signing.valid(
        signing.verify_key_of(db, own, data.party, data.key_id), statement(cp), data.signature
    ):
        raise PayloadRefused("invalid_payload", "the checkpoint signature does not verify")
    held = db.scalar(
        select(AuditCheckpoint).where(
            AuditCheckpoint.chain_party == data.party, AuditCheckpoint.sequence == data.sequence
        )
    )
    if held is not None and held.head_hash != data.head_hash:
        raise PayloadRefused(
            "policy_refused",
            f"checkpoint {data.sequence} contradicts the one already countersigned "
            f"({held.head_hash[:12]}…): the chain was rewritten",
        )
    if held is None:
        db.add(cp)
        db.flush()
    else:
        cp = held
    pair = keys.keypair(db, context.settings)
    at = clock.now()
    counter = counter_statement(cp, own, pair.public.key_id, at)
    signature = signing.sign(pair, counter)
    if (
        db.scalar(
            select(AuditCountersignature.id).where(
                AuditCountersignature.checkpoint_id == cp.id, AuditCountersignature.party == own
            )
        )
        is None
    ):
        db.add(
            AuditCountersignature(
                checkpoint_id=cp.id,
                party=own,
                key_id=pair.public.key_id,
                signature=signature,
                at=at,
            )
        )
    reply = {
        "party": cp.chain_party,
        "sequence": cp.sequence,
        "head_hash": cp.head_hash,
        "countersigner": own,
        "key_id": pair.public.key_id,
        "at": format_at(at),
        "signature": signature,
    }
    enqueue(db, COUNTERSIGN, reply, peers=[context.sender_party])


def receive_countersign(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    data = CountersignIn.model_validate(payload)
    own = context.settings.party
    if data.countersigner != context.sender_party or data.party != own:
        raise PayloadRefused("policy_refused", "a peer countersigns this node's checkpoints only")
    cp = db.scalar(
        select(AuditCheckpoint).where(
            AuditCheckpoint.chain_party == own, AuditCheckpoint.sequence == data.sequence
        )
    )
    if cp is None or cp.head_hash != data.head_hash:
        raise PayloadRefused("invalid_payload", f"no checkpoint {data.sequence} with that hash")
    counter = counter_statement(cp, data.countersigner, data.key_id, data.at)
    key = signing.verify_key_of(db, own, data.countersigner, data.key_id)
    if not signing.valid(key, counter, data.signature):
        raise PayloadRefused("invalid_payload", "the countersignature does not verify")
    exists = db.scalar(
        select(AuditCountersignature.id).where(
            AuditCountersignature.checkpoint_id == cp.id,
            AuditCountersignature.party == data.countersigner,
        )
    )
    if exists is None:
        db.add(
            AuditCountersignature(
                checkpoint_id=cp.id,
                party=data.countersigner,
                key_id=data.key_id,
                signature=data.signature,
                at=data.at,
            )
        )
