"""Bulk statements for the STIX write path, one per table per envelope.

On PostgreSQL (the production backend) a list of ids is one array parameter
(``= ANY(:ids)``), not 500 bound parameters for SQLAlchemy to render and psycopg to
parse on every envelope; new object versions go in with one ``COPY`` under sequence
numbers taken in one query, so each row's ``seq`` is known without reading it back.
SQLite keeps ``IN`` lists and an executemany insert (it has neither, and needs neither).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from sqlalchemy import ColumnElement, any_, insert, literal, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from liaison.cyber.tlp import Tlp
from liaison.models import CyberObject

_CHUNK = 500
_NEXT_SEQS = text(
    "SELECT nextval(pg_get_serial_sequence('cyber_objects', 'seq')) FROM generate_series(1, :count)"
)


def on_postgresql(db: Session) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def chunks(db: Session, values: Sequence[Any]) -> list[Sequence[Any]]:
    """The values in as few lists as one condition can take: all of them at once on
    PostgreSQL (one array parameter), 500 at a time on SQLite."""
    if not values:
        return []
    if on_postgresql(db):
        return [values]
    return [values[start : start + _CHUNK] for start in range(0, len(values), _CHUNK)]


def one_of(
    db: Session, column: InstrumentedAttribute[Any], values: Sequence[Any]
) -> ColumnElement[bool]:
    """``column IN values``: on PostgreSQL ``column = ANY(:array)``, one parameter."""
    if on_postgresql(db):
        return column == any_(literal(list(values), ARRAY(column.type)))
    return column.in_(list(values))


def insert_objects(db: Session, rows: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """Insert new object versions in one statement; the seq of each, by (id, version).

    PostgreSQL: sequence numbers for all rows in one query, then one ``COPY`` in the
    session's transaction (rows in the given order, so ``seq`` keeps insertion order).
    SQLite: one executemany insert; the seqs are read back for restricted rows only
    (the ones that need audience rows) and are 0 for the others.
    """
    if not rows:
        return {}
    if not on_postgresql(db):
        before = db.scalar(select(CyberObject.seq).order_by(CyberObject.seq.desc()).limit(1))
        db.execute(insert(CyberObject), rows)  # executemany: no per-row round trip
        return _read_back(db, before or 0, rows)
    seqs = sorted(db.scalars(_NEXT_SEQS, {"count": len(rows)}))
    columns = list(rows[0])
    statement = f"COPY cyber_objects (seq, {', '.join(columns)}) FROM STDIN"
    driver = db.connection().connection.driver_connection
    assert driver is not None
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for seq, row in zip(seqs, rows, strict=True):
                copy.write_row((seq, *(row[name] for name in columns)))
    except psycopg.errors.IntegrityError as exc:  # as SQLAlchemy would have raised it
        raise IntegrityError(statement, None, exc) from exc
    return {(row["stix_id"], row["version"]): seq for seq, row in zip(seqs, rows, strict=True)}


def _read_back(db: Session, before: int, rows: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    collection_id = rows[0]["collection_id"]
    ids = sorted({row["stix_id"] for row in rows if row["tlp_rank"] > Tlp.AMBER.rank})
    found: dict[tuple[str, str], int] = {}
    for part in chunks(db, ids):
        query = select(CyberObject.seq, CyberObject.stix_id, CyberObject.version).where(
            CyberObject.collection_id == collection_id,
            CyberObject.seq > before,
            one_of(db, CyberObject.stix_id, part),
        )
        for seq, stix_id, version in db.execute(query):
            found[(stix_id, version)] = seq
    return found
