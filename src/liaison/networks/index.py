"""A warm in-memory index of the resolved person records, for the incremental run.

Resolving one new record against 100,000 used to read every candidate's row from the
database and build a table of pairs in Python for each message. The index keeps, once
per process, the blocking keys of every person record in a dictionary (the rules of
the full run, ``model.BLOCKING``) and their comparison columns in an Arrow table; the
candidates' rows are taken from it by position and one DuckDB query scores them with
the comparison SQL of ``levels``, the weights summed in SQL so only the pairs worth
weighing come back. A record's comparison columns never change (they come from its
message), so the index only follows which records exist: it is reloaded when the
database holds a different number of network records than it counted, and the caller
reads the clusters of what it found from the database (the full run moves records
between clusters).
"""

from __future__ import annotations

import threading
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.models import NetworkRecord
from liaison.networks.levels import COLUMNS, COMPARISONS, gamma_sql
from liaison.networks.model import BLOCKING, MATCH_WEIGHT, Weights
from liaison.networks.records import current_row
from liaison.networks.score import blocks, frame

Row = dict[str, Any]
Found = tuple[str, float, list[dict[str, Any]]]


_PAIRS = ", ".join(f"l.{c} AS {c}_l, r.{c} AS {c}_r" for c in COLUMNS)
_GAMMAS = ", ".join(f"{gamma_sql(c)} AS gamma_{c.name}" for c in COMPARISONS)
_SCORED = (
    f"SELECT unique_id_r, {_GAMMAS} FROM ("  # noqa: S608 (our SQL, no input in it)
    f"SELECT r.unique_id AS unique_id_r, {_PAIRS} FROM new AS l CROSS JOIN candidates AS r)"
)
CHUNKS = 64  # records added one by one are pieces of the table; past this many, one piece


def _query(weights: Weights, at_least: float) -> str:
    """The scored pairs whose weight reaches ``at_least`` (the weight summed in SQL from
    the model's numbers, so only the matches come back to be explained)."""
    terms = [repr(float(weights.prior))]
    for comparison in COMPARISONS:
        cases = " ".join(
            f"WHEN {int(g)} THEN {float(w)!r}"
            for g, (_, w) in weights.levels.get(comparison.name, {}).items()
        )
        terms.append(f"(CASE gamma_{comparison.name} {cases} ELSE 0 END)" if cases else "0")
    total = " + ".join(terms)
    return (
        f"WITH scored AS MATERIALIZED ({_SCORED}) "  # noqa: S608 (numbers from the model)
        f"SELECT * FROM scored WHERE {total} >= {float(at_least)!r}"
    )


def _keys(row: Row) -> list[tuple[int, tuple[Any, ...]]]:
    """The row's blocking keys under every rule of the full run."""
    return [(rule, key) for rule, cols in enumerate(BLOCKING) for key in blocks(row, cols)]


class PersonIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._db = duckdb.connect()
        self._count = -1  # every network record in the database when last checked
        self._blocks: dict[tuple[int, tuple[Any, ...]], list[str]] = {}
        self._people: pa.Table = frame([])
        self._position: dict[str, int] = {}

    def _load(self, db: Session, count: int) -> None:
        query = select(NetworkRecord.person).where(NetworkRecord.kind == "person")
        rows = [current_row(r) for r in db.scalars(query) if r]
        self._blocks = {}
        for row in rows:
            self._block(row)
        self._people = frame(rows)
        self._position = {row["unique_id"]: at for at, row in enumerate(rows)}
        self._count = count

    def _block(self, row: Row) -> None:
        for key in _keys(row):
            self._blocks.setdefault(key, []).append(row["unique_id"])

    def warm(self, db: Session) -> None:
        """Load the index now if the database's records are not what it holds. All the
        records are counted, not only persons: a count of the whole table reads only its
        smallest index (a millisecond at 100,000 records; counting persons read them all)."""
        count = int(db.scalar(select(func.count()).select_from(NetworkRecord)) or 0)
        with self._lock:
            if count != self._count:
                self._load(db, count)

    def add(self, row: Row | None) -> None:
        """A record the caller has just stored, a person's row or None for any other
        kind (so the next warm() finds the index whole)."""
        with self._lock:
            self._count += 1
            if row is None:
                return
            self._position[row["unique_id"]] = self._people.num_rows
            self._people = pa.concat_tables([self._people, frame([current_row(row)])])
            if self._people.column(0).num_chunks > CHUNKS:
                self._people = self._people.combine_chunks()
            self._block(row)

    def forget(self) -> None:
        """The caller's transaction was rolled back: reload on the next warm()."""
        with self._lock:
            self._count = -1

    def match(
        self, db: Session, row: Row, weights: Weights, *, at_least: float = MATCH_WEIGHT
    ) -> list[Found]:
        """Records sharing a blocking key with ``row`` that reach ``at_least``, strongest
        first, with the explanation of their weight."""
        self.warm(db)
        with self._lock:
            ids = {i for key in _keys(row) for i in self._blocks.get(key, ())}
            ids.discard(row["unique_id"])
            if not ids:
                return []
            at = sorted(self._position[i] for i in ids)
            candidates = self._people.take(pa.array(at, pa.int64()))
        cursor = self._db.cursor()  # its own connection: no lock needed to query
        try:
            cursor.register("new", frame([current_row(row)]))
            cursor.register("candidates", candidates)
            found = cursor.execute(_query(weights, at_least - 1e-9)).fetchall()
        finally:
            cursor.close()
        out: list[Found] = []
        for other, *gammas in found:
            named = {c.name: int(g) for c, g in zip(COMPARISONS, gammas, strict=True)}
            weight, parts = weights.explain(named)
            if weight >= at_least:
                out.append((str(other), weight, parts))
        return sorted(out, key=lambda f: -f[1])


_INDEXES: dict[str, PersonIndex] = {}
_INDEXES_LOCK = threading.Lock()


def person_index(db: Session) -> PersonIndex:
    """The process's index for the database ``db`` is bound to."""
    url = db.get_bind().engine.url.render_as_string(hide_password=True)
    with _INDEXES_LOCK:
        if url not in _INDEXES:
            _INDEXES[url] = PersonIndex()
        return _INDEXES[url]
