"""The chain append's SQL, written once per database kind and run on the driver's cursor.

Every audited transaction runs it, so it is kept to the least work each backend allows:

- PostgreSQL: for the few entries of a request, the head move and the insert are **one
  statement** (one round trip), the insert taking its rows only if the conditional
  ``UPDATE`` in its ``WITH`` moved the head, so the number of rows inserted says whether
  the remembered head was right; a larger batch goes as on SQLite;
- SQLite: the conditional ``UPDATE`` then the ``INSERT`` (no round trips to save; run on
  the driver's cursor because SQLAlchemy's per-statement work cost more than SQLite's).

Values go through the columns' own bind processors, so a row is stored exactly as the
ORM would store it (``at`` as SQLite's UTC text, for one); ``canonical_sql`` and verify
read them back that way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Connection, Dialect, Table

Row = Sequence[Any]  # one entry's values, in the log table's column order
Head = tuple[int, str]  # (sequence, hash) of the chain's last entry
# Rows per INSERT: far below either backend's limit on bound values, and few statement texts.
CHUNK = 100
# Up to this many entries (an API request's few), PostgreSQL moves the head and inserts in
# one statement; a larger batch (an inbox batch) saves little by it, and a typed VALUES
# list inside a CTE costs the server more to plan than a plain INSERT.
ONE_STATEMENT_MAX = 10


@dataclass(frozen=True)
class Append:
    """The statements for one dialect; ``run`` returns whether the head moved."""

    move_head: str  # params: new sequence, new hash, old sequence, old hash
    insert: Callable[[int], str]  # the INSERT of n rows
    move_and_insert: Callable[[int], str] | None  # both in one statement (PostgreSQL)
    processors: tuple[Callable[[Any], Any] | None, ...]

    def _values(self, rows: Sequence[Row]) -> list[Any]:
        flat: list[Any] = []
        for row in rows:
            flat.extend(
                value if convert is None or value is None else convert(value)
                for convert, value in zip(self.processors, row, strict=True)
            )
        return flat

    def run(self, connection: Connection, old: Head, new: Head, rows: Sequence[Row]) -> bool:
        """Move the head from ``old`` to ``new`` and insert the rows, in the caller's
        transaction; False (and nothing written) if the head was not at ``old``."""
        move = [new[0], new[1], old[0], old[1]]
        cursor = connection.connection.cursor()
        try:
            if self.move_and_insert is not None and len(rows) <= ONE_STATEMENT_MAX:
                cursor.execute(self.move_and_insert(len(rows)), [*move, *self._values(rows)])
                return bool(cursor.rowcount == len(rows))
            cursor.execute(self.move_head, move)
            if cursor.rowcount != 1:
                return False
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                cursor.execute(self.insert(len(chunk)), self._values(chunk))
            return True
        finally:
            cursor.close()


def for_dialect(dialect: Dialect, log: Table, head: Table, head_id: int) -> Append:
    """The append for ``dialect``, built once per dialect kind."""
    if dialect.name not in ("sqlite", "postgresql"):
        raise NotImplementedError(
            f"the audit log supports SQLite and PostgreSQL, not {dialect.name}"
        )
    return _built(dialect.name, dialect, log, head, head_id)


@cache
def _built(name: str, dialect: Dialect, log: Table, head: Table, head_id: int) -> Append:
    mark = "?" if name == "sqlite" else "%s"
    names = ", ".join(column.name for column in log.columns)
    move_head = (
        f"UPDATE {head.name} SET sequence = {mark}, head_hash = {mark} "  # noqa: S608
        f"WHERE id = {head_id} AND sequence = {mark} AND head_hash = {mark}"
    )
    row = f"({', '.join(mark for _ in log.columns)})"

    @cache
    def insert(count: int) -> str:
        return f"INSERT INTO {log.name} ({names}) VALUES {', '.join([row] * count)}"  # noqa: S608

    # VALUES outside an INSERT's own list needs its types said; the first row's do.
    typed = f"({', '.join(f'{mark}::{column.type.compile(dialect)}' for column in log.columns)})"

    @cache
    def move_and_insert(count: int) -> str:
        values = ", ".join([typed] + [row] * (count - 1))
        return (
            f"WITH moved AS ({move_head} RETURNING id) "  # noqa: S608
            f"INSERT INTO {log.name} ({names}) SELECT * FROM (VALUES {values}) AS v "
            "WHERE EXISTS (SELECT 1 FROM moved)"
        )

    return Append(
        move_head=move_head,
        insert=insert,
        move_and_insert=move_and_insert if name == "postgresql" else None,
        processors=tuple(
            column.type.dialect_impl(dialect).bind_processor(dialect) for column in log.columns
        ),
    )
