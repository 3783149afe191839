"""What a checkpoint's owner signs, and what a countersigning peer signs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from liaison.ledger.chain import format_at
from liaison.models import AuditCheckpoint

CHECKPOINT_TAG = "liaison-audit-checkpoint-v1"
COUNTERSIGN_TAG = "liaison-audit-countersign-v1"


def statement(cp: AuditCheckpoint) -> dict[str, Any]:
    """What the chain owner signs."""
    return {
        "v": CHECKPOINT_TAG,
        "party": cp.chain_party,
        "sequence": cp.sequence,
        "head_hash": cp.head_hash,
        "at": format_at(cp.at),
        "key_id": cp.key_id,
    }


def counter_statement(cp: AuditCheckpoint, party: str, key_id: str, at: datetime) -> dict[str, Any]:
    """What a countersigning peer signs: the owner's statement and signature, seen."""
    return {
        "v": COUNTERSIGN_TAG,
        "checkpoint": statement(cp),
        "checkpoint_signature": cp.signature,
        "countersigner": party,
        "key_id": key_id,
        "at": format_at(at),
    }
