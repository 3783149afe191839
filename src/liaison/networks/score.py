"""Scoring candidate pairs of person rows without Splink: blocking in Python, the
comparison levels in DuckDB (the same SQL Splink runs, ``levels``), weights from the
trained model. Used by the full run and by the incremental run."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from itertools import combinations, product
from typing import Any

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]

from liaison.networks.levels import COLUMNS, COMPARISONS, LISTS, gamma_sql
from liaison.networks.model import BLOCKING, CANDIDATE_WEIGHT, MATCH_WEIGHT, Weights, calibrate

Row = dict[str, Any]
Scored = tuple[str, str, float, list[dict[str, Any]]]
CALIBRATION_MARGIN = 3.0  # bits
BIGGEST_BLOCK = 2000  # a block larger than this (a very common name) is compared in windows

# pyarrow imports pandas the first time it converts a Python list (``pa.array``): about a
# second of CPU, holding the GIL. Done here, when the worker loads this module at its
# start, it does not stall every request of a serving node at the first message resolved.
pa.array([], pa.string())


def blocks(row: Row, columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """The row's keys under one blocking rule: none when a column is empty, one per
    value of a list column."""
    values = [row.get(c) for c in columns]
    if any(v is None or v == "" or v == [] for v in values):
        return []
    axes: list[list[Any]] = [
        list(v) if c in LISTS else [v]  # type: ignore[arg-type]
        for c, v in zip(columns, values, strict=True)
    ]
    return list(product(*axes))


def candidate_pairs(rows: Sequence[Row]) -> set[tuple[int, int]]:
    """Index pairs that share a blocking key (the rules Splink uses)."""
    pairs: set[tuple[int, int]] = set()
    for columns in BLOCKING:
        groups: dict[tuple[Any, ...], list[int]] = {}
        for index, row in enumerate(rows):
            for key in blocks(row, columns):
                groups.setdefault(key, []).append(index)
        for members in groups.values():
            if len(members) <= BIGGEST_BLOCK:
                pairs.update(combinations(members, 2))
            else:  # neighbours in a window: bounded work for a very common key
                for i, left in enumerate(members):
                    pairs.update((left, right) for right in members[i + 1 : i + 50])
    return pairs


def frame(rows: Sequence[Row], suffix: str = "") -> pa.Table:
    """The comparison columns of person rows as an Arrow table (lists stay lists)."""
    data: dict[str, pa.Array] = {
        f"unique_id{suffix}": pa.array([r["unique_id"] for r in rows], pa.string())
    }
    for column in COLUMNS:
        listed = column in LISTS
        kind = pa.list_(pa.string()) if listed else pa.string()
        values = [r.get(column) or ([] if listed else None) for r in rows]
        data[f"{column}{suffix}"] = pa.array(values, kind)
    return pa.table(data)


def _table(left: Sequence[Row], right: Sequence[Row]) -> pa.Table:
    sides = frame(left, "_l"), frame(right, "_r")
    return pa.table({name: side[name] for side in sides for name in side.column_names})


_LOCK = threading.Lock()
_DATABASE: list[duckdb.DuckDBPyConnection] = []


def _duckdb() -> duckdb.DuckDBPyConnection:
    """One in-memory DuckDB per process (opening one costs ~100 ms; a cursor, nothing)."""
    with _LOCK:
        if not _DATABASE:
            _DATABASE.append(duckdb.connect())
        return _DATABASE[0]


def score(
    left: Sequence[Row], right: Sequence[Row], weights: Weights, *, at_least: float = MATCH_WEIGHT
) -> list[Scored]:
    """Weights and explanations of the pairs (left[i], right[i]) that reach ``at_least``."""
    if not left:
        return []
    pairs = _table(left, right)
    gammas = ", ".join(f"{gamma_sql(c)} AS gamma_{c.name}" for c in COMPARISONS)
    connection = _duckdb().cursor()  # a cursor: its own connection to the shared database
    try:
        connection.register("pairs", pairs)
        found = connection.execute(
            f"SELECT unique_id_l, unique_id_r, {gammas} FROM pairs"  # noqa: S608 (our SQL)
        ).fetchall()
    finally:
        connection.close()
    out: list[Scored] = []
    for row in found:
        named = {c.name: int(g) for c, g in zip(COMPARISONS, row[2:], strict=True)}
        weight, parts = weights.explain(named)
        if weight >= at_least:
            out.append((row[0], row[1], weight, parts))
    return out


def score_all(
    rows: Sequence[Row], weights: Weights, *, at_least: float = MATCH_WEIGHT
) -> list[Scored]:
    pairs = sorted(candidate_pairs(rows))
    return score(
        [rows[i] for i, _ in pairs], [rows[j] for _, j in pairs], weights, at_least=at_least
    )


def score_calibrated(rows: Sequence[Row], weights: Weights) -> tuple[Weights, list[Scored]]:
    """The weights with their prior re-estimated on these rows (``model.calibrate``) and
    the candidate pairs scored with them (the pairs a raised prior lifts to candidates
    included: scored from ``CALIBRATION_MARGIN`` below)."""
    scored = score_all(rows, weights, at_least=CANDIDATE_WEIGHT - CALIBRATION_MARGIN)
    tuned = calibrate(weights, [w for _, _, w, _ in scored], len(rows))
    shift = tuned.prior - weights.prior
    moved = [(a, b, w + shift, parts) for a, b, w, parts in scored]
    return tuned, [p for p in moved if p[2] >= CANDIDATE_WEIGHT]
