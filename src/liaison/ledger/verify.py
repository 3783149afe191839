"""Check the whole chain: every hash, every link, no gap, the head, the checkpoints.

Reports the first problem by sequence number: an entry whose content no longer
matches its hash (altered, or moved: the sequence is hashed), a missing sequence
(deleted), a broken link (an earlier entry was rewritten and rehashed), entries
missing at the end (truncated: the head row or a checkpoint is ahead of the log).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from hashlib import sha256
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.ledger import signing, statements
from liaison.ledger.canonical_sql import canonical_select
from liaison.ledger.chain import GENESIS_HASH
from liaison.ledger.service import HEAD_ID
from liaison.models.audit import (
    AuditChainHead,
    AuditCheckpoint,
    AuditCountersignature,
)

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
    countersigned: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        return min(self.problems, key=lambda p: p.sequence) if self.problems else None


_Row = tuple[int, str | None, str, str]
Progress = Callable[[int], None]  # told how many entries were just checked


def _rows(db: Session) -> Iterator[list[_Row]]:
    """Batches of (sequence, canonical line, prev_hash, entry_hash); a server-side cursor
    on PostgreSQL, so memory stays flat."""
    query = canonical_select(db.get_bind().dialect.name)
    options = {"stream_results": True, "yield_per": BATCH}
    for partition in db.execute(query, execution_options=options).partitions(BATCH):
        yield cast(list[_Row], partition)


def walk(
    db: Session, wanted: Collection[int] = (), progress: Progress | None = None
) -> tuple[VerifyReport, dict[int, str]]:
    """Walk the chain once (streamed); returns the report and the recomputed hash at each
    sequence in ``wanted`` (the checkpoints). ``progress(n)`` is told each batch's size."""
    report = VerifyReport()
    at_wanted: dict[int, str] = {}
    expected = 1
    prev = GENESIS_HASH
    count = seq = 0
    for batch in _rows(db):
        for seq, line, prev_hash, stored in batch:
            digest = sha256(line.encode()).hexdigest() if line is not None else "null"
            if (seq != expected or digest != stored or prev_hash != prev) and not report.problems:
                problem = _check_entry(seq, expected, digest, stored, prev_hash, prev)
                if problem is not None:
                    report.problems.append(problem)
            if seq in wanted:
                at_wanted[seq] = digest
            prev = stored
            expected = seq + 1
        count += len(batch)
        if progress is not None:
            progress(len(batch))
    report.entries = count
    report.last_sequence = seq
    report.head_hash = prev
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


def verify_chain(db: Session, own_party: str, progress: Progress | None = None) -> VerifyReport:
    """The whole check: entries, links, head, and this node's signed checkpoints."""
    checkpoints = list(
        db.scalars(
            select(AuditCheckpoint)
            .where(AuditCheckpoint.chain_party == own_party)
            .order_by(AuditCheckpoint.sequence)
        )
    )
    report, recomputed = walk(db, {cp.sequence for cp in checkpoints}, progress)
    _check_head(db, report)
    _check_checkpoints(db, own_party, report, checkpoints, recomputed)
    report.problems.sort(key=lambda p: p.sequence)
    return report


def _check_head(db: Session, report: VerifyReport) -> None:
    head = db.get(AuditChainHead, HEAD_ID)
    if head is None or report.problems:
        return
    if head.sequence > report.last_sequence:
        report.problems.append(
            Problem(
                report.last_sequence + 1,
                "truncated",
                f"{_span(report.last_sequence + 1, head.sequence)} missing (the log was truncated)",
            )
        )
    elif head.sequence != report.last_sequence or head.head_hash != report.head_hash:
        report.problems.append(
            Problem(
                report.last_sequence,
                "head_mismatch",
                f"the chain head (entry {head.sequence}) does not match the last entry "
                f"({report.last_sequence})",
            )
        )


def _span(first: int, last: int) -> str:
    return f"entry {first} is" if first == last else f"entries {first}..{last} are"


def _check_checkpoints(
    db: Session,
    own_party: str,
    report: VerifyReport,
    checkpoints: list[AuditCheckpoint],
    recomputed: dict[int, str],
) -> None:
    counters = _countersignatures(db, [cp.id for cp in checkpoints])
    matched_up_to = 0
    for cp in checkpoints:
        report.checkpoints += 1
        signers = counters.get(cp.id, [])
        report.countersigned += bool(signers)
        problem = _checkpoint_problem(db, own_party, cp, signers, recomputed, matched_up_to)
        if problem is not None:
            if problem.kind == "rewritten" and not signers:
                later = [c for c in checkpoints if c.sequence > cp.sequence]
                witnessed = _witnessed(db, own_party, later, counters, recomputed, matched_up_to)
                problem = witnessed or problem
            report.problems.append(problem)
            return
        matched_up_to = cp.sequence


def _witnessed(
    db: Session,
    own_party: str,
    later: list[AuditCheckpoint],
    counters: dict[str, list[AuditCountersignature]],
    recomputed: dict[int, str],
    matched_up_to: int,
) -> Problem | None:
    """A rewrite caught by our own checkpoint only could be our own checkpoint being
    rewritten too; name the first later checkpoint the peer countersigned that also no
    longer matches, which is the evidence the other party holds."""
    for cp in later:
        signers = counters.get(cp.id, [])
        if signers:
            problem = _checkpoint_problem(db, own_party, cp, signers, recomputed, matched_up_to)
            if problem is not None and problem.kind == "rewritten":
                return problem
    return None


def _countersignatures(db: Session, ids: list[str]) -> dict[str, list[AuditCountersignature]]:
    found: dict[str, list[AuditCountersignature]] = {}
    for chunk in range(0, len(ids), 500):
        rows = db.scalars(
            select(AuditCountersignature).where(
                AuditCountersignature.checkpoint_id.in_(ids[chunk : chunk + 500])
            )
        )
        for row in rows:
            found.setdefault(row.checkpoint_id, []).append(row)
    return found


def _checkpoint_problem(
    db: Session,
    own_party: str,
    cp: AuditCheckpoint,
    signers: list[AuditCountersignature],
    recomputed: dict[int, str],
    matched_up_to: int,
) -> Problem | None:
    seq = cp.sequence
    own_key = signing.verify_key_of(db, own_party, own_party, cp.key_id)
    if not signing.valid(own_key, statements.statement(cp), cp.signature):
        return Problem(seq, "checkpoint", f"checkpoint {seq} no longer carries a valid signature")
    for counter in signers:
        key = signing.verify_key_of(db, own_party, counter.party, counter.key_id)
        statement = statements.counter_statement(cp, counter.party, counter.key_id, counter.at)
        if not signing.valid(key, statement, counter.signature):
            return Problem(
                seq,
                "checkpoint",
                f"checkpoint {seq} was changed after {counter.party} countersigned it",
            )
    witnesses = " and ".join(c.party for c in signers) or "nobody yet"
    if seq not in recomputed:
        return Problem(
            seq,
            "truncated",
            f"entry {seq}, checkpointed (countersigned by {witnesses}), is missing: "
            "the log was truncated",
        )
    if recomputed[seq] != cp.head_hash:
        return Problem(
            matched_up_to + 1,
            "rewritten",
            f"the chain no longer matches checkpoint {seq} (countersigned by {witnesses}): "
            f"entries {matched_up_to + 1}..{seq} were rewritten and rehashed",
        )
    return None
