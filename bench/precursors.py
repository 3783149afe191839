"""Precursors: import of a 100,000-row customs extract, and the dashboard with many
notifications on PostgreSQL.

1. Import. A 100,000-row CSV extract (Canadian exports to India, India pinned as peer) is
   imported by ``NoticeImport`` (validation of every field, the substance register, units,
   the destination; inserts, envelopes of 500, roll-up, one audit entry) in a fresh process,
   beside the peer: a plain ``csv.reader`` + ``executemany`` INSERT of the same rows into a
   table of 17 text columns, no validation, in a fresh process too. Rows/s and the peak RSS
   growth of each process are printed. Then the same extract with 250 bad rows of five
   kinds at known lines: nothing may be imported and the report must list exactly those
   (line, field) pairs. SQLite (file) and PostgreSQL.
2. Dashboard. ``--notices`` notifications (default 1,000,000) inserted on PostgreSQL with
   ``generate_series``, the roll-up filled from them with one GROUP BY, then p50/p95 of the
   dashboard page (GET /precursors, charts included) and of its JSON.

Run: ``uv run python bench/precursors.py [--rows 100000] [--notices 1000000]``
(PostgreSQL from LIAISON_TEST_PG_URL, as the tests).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient
from sqlalchemy import Column, MetaData, Table, Text, insert, text
from tests.precursors import payloads
from tests.support.nodes import drop_schemas, pg_schema
from tests.support.peering import pin_peer_with_agencies

from liaison import domains
from liaison.app import create_app
from liaison.config import Settings
from liaison.demo.seed import seed_demo
from liaison.federation.keys import ensure_node_key
from liaison.kit.cli import operator
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.kit.migrate import upgrade
from liaison.precursors.imports import NoticeImport, rows_of
from liaison.precursors.schemas import Markings
from liaison.users import service as users
from liaison.users.auth import caller_for
from liaison.users.repository import find_login_user
from liaison.users.schemas import TokenCreate

BAD_KINDS = (
    ("cas", "41661-47-7", "substance_cas"),  # check digit
    ("cas", "50-00-0", "substance_cas"),  # not in the register
    ("unit", "L", "unit"),  # a solid in litres
    ("quantity", "-5", "quantity"),
    ("dispatch_date", "2026-02-30", "dispatch_date"),
)


def _status(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def rss_mib() -> float:
    """The current RSS, after resetting the peak (so the peak is this phase's alone)."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status("VmRSS")


def peak_mib() -> float:
    return _status("VmHWM")


def write_extract(path: Path, rows: int, bad_every: int = 0) -> set[tuple[int, str]]:
    """Write the extract; returns the (line, field) pairs that must be reported."""
    expected: set[tuple[int, str]] = set()
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(payloads.HEADER)
        for n in range(rows):
            overrides = {"importing_country": "IN", "exporter_country": "CA"}
            line = n + 2
            if bad_every and n % bad_every == bad_every // 2:
                column, value, field = BAD_KINDS[(n // bad_every) % len(BAD_KINDS)]
                overrides[column] = value
                expected.add((line, field))
            writer.writerow(payloads.row(n, **overrides))
    return expected


def prepare(url: str, data_dir: Path) -> Settings:
    engine = make_engine(url)
    upgrade(engine)
    settings = Settings(party="CA", node_name="liaison-ca", data_dir=data_dir, database_url=url)
    settings.ensure_secret_key()
    with unit_of_work(make_session_factory(engine)) as db:
        seed_demo(db, "CA", domains.registry())
        ensure_node_key(db, settings)
        pin_peer_with_agencies(db, "IN")
    engine.dispose()
    return settings


# children (each measured in a fresh process) ----------------------------------------
def child_ours(url: str, data_dir: str, extract: str) -> dict[str, Any]:
    settings = Settings(
        party="CA", node_name="liaison-ca", data_dir=Path(data_dir), database_url=url
    )
    engine = make_engine(url)
    factory = make_session_factory(engine)
    before = rss_mib()
    began, cpu = time.perf_counter(), time.process_time()
    with unit_of_work(factory) as db, open(extract, "rb") as stream:
        report = NoticeImport(db, operator(settings), settings).run(rows_of(stream), Markings())
    seconds = time.perf_counter() - began
    cpu = time.process_time() - cpu
    engine.dispose()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "rows": report.rows,
        "imported": report.imported,
        "growth": peak_mib() - before,
        "errors": [[e.row, e.field] for e in report.errors],
        "error_count": report.error_count,
    }


def child_peer(url: str, extract: str) -> dict[str, Any]:
    engine = make_engine(url)
    table = Table("baseline_rows", MetaData(), *(Column(c, Text) for c in payloads.HEADER))
    table.create(engine, checkfirst=True)
    before = rss_mib()
    began, cpu = time.perf_counter(), time.process_time()
    rows = 0
    with engine.begin() as conn, open(extract, newline="") as stream:
        reader = csv.reader(stream)
        next(reader)
        chunk: list[dict[str, str]] = []
        for cells in reader:
            chunk.append(dict(zip(payloads.HEADER, cells, strict=True)))
            if len(chunk) == 1000:
                conn.execute(insert(table), chunk)
                rows += len(chunk)
                chunk = []
        if chunk:
            conn.execute(insert(table), chunk)
            rows += len(chunk)
    seconds = time.perf_counter() - began
    cpu = time.process_time() - cpu
    engine.dispose()
    return {"seconds": seconds, "cpu": cpu, "rows": rows, "growth": peak_mib() - before}


def spawn(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def bench_import(name: str, url: str, peer_url: str, rows: int, tmp: Path) -> None:
    settings = prepare(url, tmp / f"node-{name}")
    clean, bad = tmp / "clean.csv", tmp / "bad.csv"
    write_extract(clean, rows)
    expected = write_extract(bad, rows, bad_every=rows // 250)
    ours = spawn("ours", url, str(settings.data_dir), str(clean))
    peer = spawn("peer", peer_url, str(clean))
    refused = spawn("ours", url, str(settings.data_dir), str(bad))
    assert ours["imported"] == rows, ours
    reported = {(r, f) for r, f in refused["errors"]}
    exact = refused["imported"] == 0 and reported == expected
    print(f"{name:10} import {rows:,} rows, validated: {rows / ours['seconds']:8,.0f} rows/s "
          f"({ours['seconds']:.1f} s; {rows / ours['cpu']:,.0f} rows per CPU-second of this "
          f"process), peak RSS growth {ours['growth']:5.1f} MiB "
          f"(targets >= 5,000 rows/s, < 100 MiB)")  # fmt: skip
    print(f"{name:10} peer: csv + INSERT, no checks: {rows / peer['seconds']:8,.0f} rows/s "
          f"({peer['seconds']:.1f} s; {rows / peer['cpu']:,.0f} rows per CPU-second), "
          f"peak RSS growth {peer['growth']:5.1f} MiB")  # fmt: skip
    print(f"{name:10} extract with {len(expected)} bad rows: {refused['rows']:,} rows checked in "
          f"{refused['seconds']:.1f} s, imported {refused['imported']}, report "
          f"{'EXACT' if exact else 'WRONG'} ({len(reported)} reported, "
          f"{len(expected)} planted)")  # fmt: skip


# dashboard -------------------------------------------------------------------------
FILL = """
INSERT INTO precursor_notices (id, reference, direction, exporting_party, importing_party,
  exporter, exporter_country, importer, consignee, substance_cas, substance_name, quantity,
  unit, purpose, transit_points, route, point_of_entry, dispatch_date, licences, container,
  vessel_imo, vessel_name, tlp, handling_code, legal_basis, legal_basis_reference, status,
  respond_by, answer_reason, answered_by, answered_at, overdue_flagged_at, case_id,
  import_batch, created_by, created_at, sent_at)
SELECT md5(g::text)::uuid::text, 'B-' || g, 'out', 'CA', 'IN', 'Exporter ' || (g % 500), 'CA',
  'Importer ' || (g % 700), '',
  (ARRAY['41661-47-6', '39742-60-4', '21409-26-7', '79099-07-3'])[1 + g % 4],
  'bench', 1 + g % 400, 'kg', 'bench', '[]',
  CASE WHEN g % 3 = 0 THEN 'CA-AE-IN' ELSE 'CA-IN' END,
  'Mundra', DATE '2025-01-01' + (g % 700), '[]', NULL, NULL, '', 'AMBER', 'intelligence_only',
  'statute', '', s.status, TIMESTAMPTZ '2025-01-15' + (g % 700) * INTERVAL '1 day', '', '',
  CASE WHEN s.status = 'sent' THEN NULL
       ELSE TIMESTAMPTZ '2025-01-03' + (g % 700) * INTERVAL '1 day' END,
  NULL, NULL, NULL, 'bench', TIMESTAMPTZ '2025-01-01' + (g % 700) * INTERVAL '1 day',
  TIMESTAMPTZ '2025-01-01' + (g % 700) * INTERVAL '1 day'
FROM generate_series(CAST(:start AS integer), CAST(:stop AS integer)) AS g,
LATERAL (SELECT (ARRAY['legitimate', 'legitimate', 'legitimate', 'objection',
                      'info_requested', 'sent'])[1 + g % 6] AS status) s
"""
ROLLUP = """
INSERT INTO precursor_monthly (month, exporting_party, importing_party, route, substance_cas,
  notices, quantity, answered, objections, info_requests, response_seconds, overdue)
SELECT to_char(sent_at, 'YYYY-MM'), exporting_party, importing_party, route, substance_cas,
  count(*), sum(quantity), count(answered_at), count(*) FILTER (WHERE status = 'objection'),
  count(*) FILTER (WHERE status = 'info_requested'),
  coalesce(sum(extract(epoch FROM answered_at - sent_at)), 0), 0
FROM precursor_notices GROUP BY 1, 2, 3, 4, 5
"""


def bench_dashboard(notices: int, renders: int, tmp: Path) -> None:
    schema, url = pg_schema("bench_precursors")
    try:
        settings = prepare(url, tmp / "node-dash")
        engine = make_engine(url)
        began = time.perf_counter()
        for start in range(1, notices + 1, 200_000):
            with engine.begin() as conn:
                conn.execute(text(FILL), {"start": start, "stop": min(start + 199_999, notices)})
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM precursor_monthly"))
            conn.execute(text(ROLLUP))
            conn.execute(text("ANALYZE"))
        fill = time.perf_counter() - began
        factory = make_session_factory(engine)
        with unit_of_work(factory) as db:
            user = find_login_user(db, "ca-viewer")
            assert user is not None
            _, token = users.issue_token(db, settings.secret_key, caller_for(db, user), "ca-viewer",
                                         TokenCreate(name="bench"))  # fmt: skip
        app = create_app(settings, engine=engine, session_factory=factory)
        headers = {"Authorization": f"Bearer {token}", "accept": "text/html"}
        with TestClient(app) as client:
            page = client.get("/precursors", headers=headers)
            assert page.status_code == 200, page.text[:500]
            assert f"{notices + 3:,}".replace(",", "") in page.text.replace(",", "")
            p50, p95 = timed(lambda: client.get("/precursors", headers=headers), renders)
            j50, j95 = timed(
                lambda: client.get("/api/v1/precursors/dashboard", headers=headers), renders
            )
        print(f"postgresql dashboard page, {notices:,} notifications: "
              f"p50 {p50:6.1f} ms  p95 {p95:6.1f} ms "
              f"(target p95 < 300 ms; {renders} renders; filled in {fill:.0f} s)")  # fmt: skip
        print(f"postgresql dashboard JSON: p50 {j50:6.1f} ms  p95 {j95:6.1f} ms")
        engine.dispose()
    finally:
        drop_schemas(schema)


def timed(fn: Any, runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        kind, *args = sys.argv[2:]
        result = child_ours(*args) if kind == "ours" else child_peer(*args)
        print(json.dumps(result))
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--notices", type=int, default=1_000_000)
    parser.add_argument("--renders", type=int, default=40)
    parser.add_argument("--skip-sqlite-import", action="store_true")
    parser.add_argument("--skip-postgresql-import", action="store_true")
    options = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, shared (figures are noisy when others run)")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        if not options.skip_sqlite_import:
            lite = f"sqlite:///{tmp}/ours.db"
            bench_import("sqlite", lite, f"sqlite:///{tmp}/peer.db", options.rows, tmp)
        if not options.skip_postgresql_import:
            schema, url = pg_schema("bench_import")
            peer_schema, peer_url = pg_schema("bench_peer")
            try:
                bench_import("postgresql", url, peer_url, options.rows, tmp)
            finally:
                drop_schemas(schema, peer_schema)
        if options.notices:
            bench_dashboard(options.notices, options.renders, tmp)


if __name__ == "__main__":
    main()
