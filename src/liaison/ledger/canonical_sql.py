"""The canonical line of every entry, built by the database (for ``verify``'s speed).

Python only hashes the line the query returns and compares it with the stored hash,
so verify does not convert eleven values per row. The expression must produce exactly
``chain.canonical`` for every row ``record`` writes (the tests check it on both
backends); for anything else (a tampered row) it produces some other line, whose
hash then fails to match, which is the point. A NULL result (a column nulled by
hand) is reported as altered too.
"""

from __future__ import annotations

from sqlalchemy import TextClause, text

from liaison.ledger.chain import DOMAIN

_TEXT_FIELDS = ("actor", "action", "object_type", "object_id")
_JSON_FIELDS = ("rule_ids", "detail", "prev_hash")

# SQLAlchemy stores SQLite datetimes as UTC text 'YYYY-MM-DD HH:MM:SS.ffffff'.
_SQLITE_AT_PATTERN = (
    "'[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] "
    "[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9][0-9][0-9][0-9]'"
)
_AT = {
    "sqlite": (
        f"CASE WHEN typeof(at) = 'text' AND length(at) = 26 AND at GLOB {_SQLITE_AT_PATTERN} "
        "THEN '32:' || substr(at, 1, 10) || 'T' || substr(at, 12) || '+00:00' "
        "ELSE 'x' || length(at) || ':' || at END"
    ),
    "postgresql": (
        "'32:' || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US') || '+00:00'"
    ),
}
_LENGTH = {"sqlite": "length", "postgresql": "char_length"}


def _field(length: str, column: str) -> str:
    return f"{length}({column}) || ':' || {column}"


def canonical_select(dialect: str) -> TextClause:
    """(sequence, canonical line, prev_hash, entry_hash) for every entry, in order."""
    length = _LENGTH.get(dialect)
    if length is None:
        raise NotImplementedError(f"audit verify supports SQLite and PostgreSQL, not {dialect}")
    parts = [
        f"'{DOMAIN}|' || sequence",
        _AT[dialect],
        *(_field(length, column) for column in _TEXT_FIELDS),
        f"CASE WHEN decision IS NULL THEN '~' ELSE {_field(length, 'decision')} END",
        *(_field(length, column) for column in _JSON_FIELDS),
    ]
    line = " || '|' || ".join(parts)
    return text(
        f"SELECT sequence, {line} AS canonical, prev_hash, entry_hash "  # noqa: S608
        "FROM audit_log ORDER BY sequence"
    )
