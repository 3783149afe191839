"""The number in a new case's reference (CA-2026-000123): one above the highest taken.

The highest is read through the reference's unique index (a range of same-width
references, so any collation orders them by number), never counted: a number left
unused by a rolled-back compose does not make every later compose clash.

On PostgreSQL, concurrent composes do not queue behind each other: a number another
transaction is inserting, not yet committed, would make this insert wait for that
commit and then fail. Each candidate is claimed instead with a transaction-scoped
advisory lock, and one held elsewhere is skipped: the first free one is found in the
same statement that reads the highest. The lock goes with the transaction (commit or
rollback). Advisory locks are database-wide, so the lock's key includes the schema:
nodes sharing a database (one schema each) never skip each other's numbers. SQLite
has one writer at a time, so there the highest is enough.

The case row is inserted with ``ON CONFLICT DO NOTHING`` (``kit.db.insert_new``): a number
taken and committed meanwhile inserts nothing, and the caller tries the next one
without a savepoint to roll back to.
"""

from __future__ import annotations

from sqlalchemy import Integer, bindparam, cast, func, select, text
from sqlalchemy.orm import Session

from liaison.models import Case

DIGITS = 6
CANDIDATES = 64  # numbers tried in one statement (more than composes in flight)
LOCK_SPACE = 0x4C43  # the advisory-lock class of case references (int4 key 1)


def _bounds(prefix: str) -> tuple[str, str]:
    return f"{prefix}{'0' * DIGITS}", f"{prefix}{'9' * DIGITS}"


_HIGHEST = select(
    func.coalesce(cast(func.substr(func.max(Case.reference), bindparam("cut")), Integer), 0)
).where(Case.reference.between(bindparam("lo"), bindparam("hi")))

_CLAIM = text(
    """
    WITH top AS (
        SELECT COALESCE(CAST(substr(max(reference), :cut) AS INTEGER), 0)
               + CAST(:skip AS INTEGER) AS last
        FROM exchange_cases WHERE reference BETWEEN :lo AND :hi
    )
    SELECT n FROM top, generate_series(top.last + 1, top.last + :span) AS n
    WHERE pg_try_advisory_xact_lock(
        CAST(:space AS INTEGER),
        hashtext(current_schema() || '.' || CAST(:prefix AS TEXT) || lpad(n::text, :digits, '0'))
    )
    LIMIT 1
    """
)


def next_number(db: Session, prefix: str, skip: int = 0) -> int:
    """The number to try for a reference starting with ``prefix`` ("CA-2026-");
    ``skip``: numbers above the highest already found taken by this transaction."""
    lo, hi = _bounds(prefix)
    params = {"cut": len(prefix) + 1, "lo": lo, "hi": hi}
    if db.get_bind().dialect.name == "postgresql":
        claimed = db.scalar(
            _CLAIM,
            {
                **params,
                "skip": skip,
                "span": CANDIDATES,
                "space": LOCK_SPACE,
                "prefix": prefix,
                "digits": DIGITS,
            },
        )
        if claimed is not None:
            return int(claimed)
        skip += CANDIDATES  # all claimed elsewhere: wait for the one after them
    return int(db.scalar(_HIGHEST, params) or 0) + 1 + skip
