"""Audit log costs on SQLite and PostgreSQL.

Prints, per backend: the time of a small write transaction (one login-attempt row,
committed) without and with one ``audit.record()`` in it, so the append overhead per
transaction is visible; the same with ten entries per transaction (batched at commit);
and ``verify`` speed over a chain of N entries (target >= 100,000 entries/s), with the
pure hashing ceiling (canonical encoding + SHA-256, no database) beside it.
Run: ``uv run python bench/audit.py [--entries 100000] [--transactions 2000]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text, update
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.kit.migrate import upgrade
from liaison.ledger.chain import GENESIS_HASH, canonical_json, entry_hash, format_at
from liaison.ledger.service import HEAD_ID, record
from liaison.ledger.verify import verify_chain
from liaison.models import AuditChainHead, AuditEntry, LoginAttempt

PG_URL = os.environ.get("LIAISON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _work(db: Session, audited: int) -> None:
    db.add(LoginAttempt(username="bench", client_ip="127.0.0.1", succeeded=True))
    for n in range(audited):
        record(
            db,
            actor="user:bench",
            action="exchange.message.send",
            object_type="exchange.message",
            object_id=str(uuid.uuid4()),
            decision="allow_with_obligations",
            rule_ids=["ca.legal_basis", "joint.intelligence_only"],
            detail={"to": "IN", "n": n},
        )


def per_transaction(factory: sessionmaker[Session], count: int, audited: int) -> float:
    """Mean microseconds per committed transaction."""
    began = time.perf_counter()
    for _ in range(count):
        with unit_of_work(factory) as db:
            _work(db, audited)
    return (time.perf_counter() - began) / count * 1e6


def build_chain(factory: sessionmaker[Session], entries: int) -> None:
    """A valid chain of ``entries`` rows, inserted in bulk (hashes computed as record does)."""
    prev = GENESIS_HASH
    start = datetime(2026, 2, 6, 10, tzinfo=UTC)
    rules = canonical_json(["ca.legal_basis"])
    batch: list[dict[str, object]] = []
    with unit_of_work(factory) as db:
        for seq in range(1, entries + 1):
            at = start + timedelta(milliseconds=seq)
            detail = canonical_json({"n": seq, "to": "IN"})
            digest = entry_hash(
                seq, format_at(at), "user:bench", "exchange.message.read", "exchange.message",
                f"m-{seq}", None, rules, detail, prev,
            )  # fmt: skip
            batch.append(
                {
                    "sequence": seq,
                    "at": at,
                    "actor": "user:bench",
                    "action": "exchange.message.read",
                    "object_type": "exchange.message",
                    "object_id": f"m-{seq}",
                    "decision": None,
                    "rule_ids_json": rules,
                    "detail_json": detail,
                    "prev_hash": prev,
                    "entry_hash": digest,
                }
            )
            prev = digest
            if len(batch) == 5000:
                db.execute(insert(AuditEntry), batch)
                batch = []
        if batch:
            db.execute(insert(AuditEntry), batch)
        db.execute(
            update(AuditChainHead)
            .where(AuditChainHead.id == HEAD_ID)
            .values(sequence=entries, head_hash=prev)
        )


def hashing_ceiling(entries: int) -> float:
    at = format_at(datetime(2026, 2, 6, tzinfo=UTC))
    rules, detail = canonical_json(["ca.legal_basis"]), canonical_json({"n": 1, "to": "IN"})
    prev = GENESIS_HASH
    began = time.perf_counter()
    for seq in range(entries):
        prev = entry_hash(seq, at, "user:bench", "exchange.message.read", "exchange.message",
                          "m-1", None, rules, detail, prev)  # fmt: skip
    return entries / (time.perf_counter() - began)


def verify_speed(factory: sessionmaker[Session], entries: int) -> float:
    with unit_of_work(factory) as db:
        began = time.perf_counter()
        report = verify_chain(db, "CA")
        elapsed = time.perf_counter() - began
    assert report.ok, report.problems
    assert report.entries >= entries
    return report.entries / elapsed


def show(label: str, value: str) -> None:
    print(f"  {label:<38}{value}")


def run(
    name: str, make: Callable[[], tuple[str, Callable[[], None]]], args: argparse.Namespace
) -> None:
    url, cleanup = make()
    engine = make_engine(url)
    factory = make_session_factory(engine)
    try:
        per_transaction(factory, 50, 1)  # warm up
        plain = per_transaction(factory, args.transactions, 0)
        one = per_transaction(factory, args.transactions, 1)
        ten = per_transaction(factory, args.transactions // 4, 10)
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"\n{name}  (load average {load})")
        show("write transaction, no audit entry", f"{plain:9.0f} µs")
        extra = f"(+{one - plain:.0f} µs, {one / plain - 1:+.0%})"
        show(
            "same + 1 audit entry",
            f"{one:9.0f} µs  {extra}, ratio {one / plain:.2f} (target <= 1.3)",
        )
        show("same + 10 audit entries", f"{ten:9.0f} µs  (+{(ten - plain) / 10:.0f} µs per entry)")
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_log"))
            conn.execute(
                text("UPDATE audit_chain_head SET sequence = 0, head_hash = :h"),
                {"h": GENESIS_HASH},
            )
        built = time.perf_counter()
        build_chain(factory, args.entries)
        print(f"  chain of {args.entries:,} entries built in {time.perf_counter() - built:.1f} s")
        speed = verify_speed(factory, args.entries)
        verdict = "meets" if speed >= 100_000 else "BELOW"
        show("verify", f"{speed:9,.0f} entries/s ({verdict} the 100,000/s target)")
    finally:
        engine.dispose()
        cleanup()


def sqlite_db() -> tuple[str, Callable[[], None]]:
    folder = tempfile.mkdtemp(prefix="liaison-bench-audit-")
    url = f"sqlite:///{folder}/bench.db"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url, lambda: shutil.rmtree(folder, ignore_errors=True)


def pg_db() -> tuple[str, Callable[[], None]]:
    schema = f"liaison_bench_audit_{uuid.uuid4().hex[:8]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return url, drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--transactions", type=int, default=2000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    args = parser.parse_args()
    ceiling = hashing_ceiling(200_000)
    print(f"hashing ceiling (canonical encoding + SHA-256, one core): {ceiling:,.0f} entries/s")
    if args.backend in ("sqlite", "both"):
        run("SQLite (file, WAL)", sqlite_db, args)
    if args.backend in ("postgresql", "both"):
        run(f"PostgreSQL ({PG_URL.split('@')[-1]})", pg_db, args)


if __name__ == "__main__":
    main()
