"""JSON Lines export: one entry per line, streamed, re-verifiable without the database.

Each line holds the entry's fields; ``rule_ids`` and ``detail`` as JSON values whose
canonical text (``chain.canonical_json``) is what was hashed. ``verify_lines`` checks an
export the same way ``verify`` checks the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime

from sqlalchemy.orm import Session

from liaison.ledger import repository
from liaison.ledger.chain import GENESIS_HASH, canonical_json, entry_hash, format_at
from liaison.ledger.verify import Problem
from liaison.models import AuditEntry


def line(entry: AuditEntry) -> str:
    return json.dumps(
        {
            "sequence": entry.sequence,
            "at": format_at(entry.at),
            "actor": entry.actor,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "decision": entry.decision,
            "rule_ids": entry.rule_ids,
            "detail": entry.detail,
            "prev_hash": entry.prev_hash,
            "entry_hash": entry.entry_hash,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def lines(db: Session, since: int = 0) -> Iterator[str]:
    for entry in repository.stream(db, since):
        yield line(entry) + "\n"


def verify_lines(text_lines: Iterable[str]) -> tuple[int, Problem | None]:
    """(entries checked, first problem) for an export that starts at sequence 1, or
    continues a chain whose previous hash is the first line's ``prev_hash``."""
    count = 0
    prev: str | None = None
    expected: int | None = None
    for raw in text_lines:
        if not raw.strip():
            continue
        item = json.loads(raw)
        seq = int(item["sequence"])
        if expected is None:
            expected, prev = seq, item["prev_hash"] if seq > 1 else GENESIS_HASH
        digest = entry_hash(
            seq,
            format_at(datetime.fromisoformat(item["at"])),
            item["actor"],
            item["action"],
            item["object_type"],
            item["object_id"],
            item["decision"],
            canonical_json(item["rule_ids"]),
            canonical_json(item["detail"]),
            item["prev_hash"],
        )
        if seq != expected:
            return count, Problem(expected, "missing", f"entry {expected} is missing")
        if digest != item["entry_hash"]:
            return count, Problem(seq, "altered", f"entry {seq} was altered: hash mismatch")
        if item["prev_hash"] != prev:
            return count, Problem(seq, "broken_link", f"entry {seq} does not follow {seq - 1}")
        prev, expected, count = item["entry_hash"], seq + 1, count + 1
    return count, None
