"""Check the whole chain: every hash, every link, no gap, the head, the checkpoints.

Reports the first problem by sequence number: an entry whose content no longer
matches its hash (altered, or moved: the sequence is hashed), a missing sequence
(deleted), a broken link (an earlier entry was rewritten and rehashed), entries
missing at the end (truncated: the head row or a checkpoint is ahead of the log).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.audit.chain import GENESIS_HASH, entry_hash, format_at
from liaison.audit.service import HEAD_ID
from liaison.models.audit import AuditChainHead, AuditEntry

BATCH = 5000


@dataclass(frozen=True)
class Problem:
    sequence: int
    kind: str  # altered | missing | broken_link | truncated | head_mismatch | checkpoint
    message: str


@dataclass
class VerifyReport:
    entries: int = 0
    last_sequence: int = 0
    head_hash: str = GENESIS_HASH
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        return min(self.problems, key=lambda p: p.sequence) if self.problems else None


_COLUMNS = (
    AuditEntry.sequence,
    AuditEntry.at,
    AuditEntry.actor,
    AuditEntry.action,
    AuditEntry.object_type,
    AuditEntry.object_id,
    AuditEntry.decision,
    AuditEntry.rule_ids_json,
    AuditEntry.detail_json,
    AuditEntry.prev_hash,
    AuditEntry.entry_hash,
)


_Row = tuple[int, datetime, str, str, str, str, str | None, str, str, str, str]


def _rows(db: Session) -> Iterator[_Row]:
    result = db.execute(
        select(*_COLUMNS).order_by(AuditEntry.sequence).execution_options(yield_per=BATCH)
    )
    for partition in result.partitions():
        for row in partition:
            yield cast(_Row, row)


def walk(db: Session, wanted: Collection[int] = ()) -> tuple[VerifyReport, dict[int, str]]:
    """Walk the chain once (streamed); returns the report and the recomputed hash at each
    sequence in ``wanted`` (the checkpoints)."""
    report = VerifyReport()
    at_wanted: dict[int, str] = {}
    expected = 1
    prev = GENESIS_HASH
    for seq, at, actor, action, otype, oid, decision, rules, detail, prev_hash, stored in _rows(db):
        digest = entry_hash(
            seq, format_at(at), actor, action, otype, oid, decision, rules, detail, prev_hash
        )
        if not report.problems:
            problem = _check_entry(seq, expected, digest, stored, prev_hash, prev)
            if problem is not None:
                report.problems.append(problem)
        if seq in wanted:
            at_wanted[seq] = digest
        prev = stored
        expected = seq + 1
        report.entries += 1
        report.last_sequence = seq
        report.head_hash = stored
    return report, at_wanted


def _check_entry(
    seq: int, expected: int, digest: str, stored: str, prev_hash: str, prev: str
) -> Problem | None:
    if seq != expected:
        return Problem(expected, "missing", f"entry {expected} is missing (deleted)")
    if digest != stored:
        return Problem(seq, "altered", f"entry {seq} was altered or moved: hash mismatch")
    if prev_hash != prev:
        return Problem(
            seq,
            "broken_link",
            f"entry {seq} does not follow entry {seq - 1}: an earlier entry was "
            "rewritten or deleted",
        )
    return None


def verify_chain(db: Session) -> VerifyReport:
    report, _ = walk(db)
    head = db.get(AuditChainHead, HEAD_ID)
    if head is not None and not report.problems:
        if head.sequence > report.last_sequence:
            report.problems.append(
                Problem(
                    report.last_sequence + 1,
                    "truncated",
                    f"entries {report.last_sequence + 1}..{head.sequence} are missing "
                    "(the log was truncated)",
                )
            )
        elif head.sequence != report.last_sequence or head.head_hash != report.head_hash:
            report.problems.append(
                Problem(
                    report.last_sequence,
                    "head_mismatch",
                    f"the chain head ({head.sequence}) does not match the last entry "
                    f"({report.last_sequence})",
                )
            )
    return report
