"""Exchange benchmarks.

1. ``latency``: two real nodes on loopback (each with its in-process worker). Requests
   are sent through the API at a steady rate (10 and 100 messages/s); the time from
   the POST to the moment the message is committed in the peer's inbox (its
   ``received_at``, same machine clock) gives p50/p99.
2. ``inbox``: 100,000 messages stored (bulk-inserted, realistic text and entities);
   the inbox list (first page, a status filter, overdue, a deep keyset page) and
   full-text search (rare and common words) timed through the repository; p50/p95.

Run: ``uv run python bench/exchange.py [latency|inbox|all] [--backend postgresql|sqlite]
[--separate-workers]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from sqlalchemy import JSON, Table, insert, select, text
from sqlalchemy.orm import Session, sessionmaker
from tests.exchange import payloads
from tests.support.nodes import PG_URL, drop_schemas, peer, pg_schema, wait_for
from tests.support.nodes import LiveNode as Node

from liaison.exchange.repository import ExchangeRepository, InboxFilter, normalise_search
from liaison.kit.db import make_engine, make_session_factory
from liaison.kit.ids import new_id
from liaison.kit.migrate import upgrade
from liaison.kit.roles import Caller, Role
from liaison.models import Case, Message


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


# 1. send -> visible in the peer's inbox -------------------------------------------
def agencies_of(node: Node, party: str) -> dict[str, str]:
    with node.api(f"{node.party.lower()}-officer") as api:
        rows = api.get("/api/v1/agencies", params={"party": party, "limit": 100}).json()
    return {f"{party}:{row['acronym']}": row["id"] for row in rows}


def _received(india: Node, ids: list[str]) -> dict[str, datetime]:
    engine = make_engine(india.database_url or f"sqlite:///{india.data_dir / 'liaison.db'}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(Message.id, Message.received_at).where(Message.id.in_(ids))
            ).all()
    finally:
        engine.dispose()
    return {row[0]: row[1].replace(tzinfo=UTC) if row[1].tzinfo is None else row[1] for row in rows}


def cpu_seconds(node: Node) -> float:
    """User + system CPU the node's processes (server, worker if separate) have used."""
    total = 0.0
    for process in (node.server, node.worker):
        if process is None:
            continue
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def latency_run(canada: Node, india: Node, rate: float, count: int) -> dict[str, float]:
    agencies = {**agencies_of(canada, "CA"), **agencies_of(canada, "IN")}
    cpu_before = cpu_seconds(canada), cpu_seconds(india)
    sent_at: dict[str, datetime] = {}
    lock = threading.Lock()
    errors: list[str] = []
    start = time.monotonic() + 0.5
    slots = iter(range(count))

    def worker() -> None:
        with canada.api("ca-officer") as api:
            while True:
                with lock:
                    slot = next(slots, None)
                if slot is None:
                    return
                delay = start + slot / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                body = payloads.compose(agencies, subject=f"bench message {slot}")
                began = datetime.now(UTC)
                try:
                    response = api.post("/api/v1/exchange/cases", json=body)
                except httpx.TransportError as exc:  # e.g. a keep-alive closed under load
                    errors.append(str(exc))
                    continue
                if response.status_code != 201:
                    errors.append(response.text[:200])
                    continue
                with lock:
                    sent_at[response.json()["id"]] = began

    threads = [threading.Thread(target=worker) for _ in range(min(16, max(4, int(rate / 4))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    ids = list(sent_at)
    wait_for(lambda: len(_received(india, ids)) == len(ids), timeout=300, what="all messages")
    received = _received(india, ids)
    sent_cpu = cpu_seconds(canada) - cpu_before[0]
    received_cpu = cpu_seconds(india) - cpu_before[1]
    latencies = [(received[i] - sent_at[i]).total_seconds() * 1000 for i in ids]
    for sample in sorted(set(errors))[:3]:
        print(f"  error sample: {sample}")
    return {
        "offered_rate": rate,
        "achieved_rate": len(ids) / elapsed,
        "messages": len(ids),
        "errors": len(errors),
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 0.99),
        "sender_cpu_ms": sent_cpu / max(1, len(ids)) * 1000,
        "receiver_cpu_ms": received_cpu / max(1, len(ids)) * 1000,
    }


def latency(backend: str, counts: dict[float, int], *, separate_workers: bool = False) -> None:
    """``separate_workers``: each node serves with ``--no-worker`` beside a ``liaison
    worker`` process polling at the production default (1 s), as an operator runs several
    API processes; on PostgreSQL the API's commit wakes that worker (LISTEN/NOTIFY)."""
    root = Path(tempfile.mkdtemp(prefix="bench-exchange-"))
    schemas: list[str] = []
    nodes = []
    for party in ("CA", "IN"):
        url = ""
        if backend == "postgresql":
            schema, url = pg_schema(party.lower())
            schemas.append(schema)
        poll = {"LIAISON_WORKER_POLL_SECONDS": "1.0"} if separate_workers else {}
        node = Node(party=party, data_dir=root / party.lower(), database_url=url, extra_env=poll)
        node.data_dir.mkdir(parents=True)
        node.prepare()
        nodes.append(node)
    canada, india = nodes
    label = f"{backend}, separate workers" if separate_workers else backend
    try:
        for node in nodes:
            node.start(with_worker=not separate_workers)
            if separate_workers:
                node.start_worker()
        peer(canada, india)
        wait_for(lambda: "IN:NCB" in agencies_of(canada, "IN"), what="India's agencies")
        latency_run(canada, india, 10, 10)  # warm-up
        for rate, count in counts.items():
            result = latency_run(canada, india, rate, count)
            print(
                f"[{label}] send -> visible in peer inbox at {rate:.0f}/s offered "
                f"({result['achieved_rate']:.1f}/s achieved, {result['messages']} messages, "
                f"{result['errors']} errors): p50 {result['p50_ms']:.0f} ms, "
                f"p99 {result['p99_ms']:.0f} ms; CPU per message: sender "
                f"{result['sender_cpu_ms']:.1f} ms, receiver {result['receiver_cpu_ms']:.1f} ms "
                f"(load average "
                f"{', '.join(f'{x:.2f}' for x in os.getloadavg())})"
            )
    finally:
        canada.stop()
        india.stop()
        for schema in schemas:
            drop_schemas(schema)


# 2. inbox list and search over 100,000 stored messages -----------------------------
WORDS = (
    "shipment",
    "container",
    "precursor",
    "fentanyl",
    "consignee",
    "exporter",
    "invoice",
    "transfer",
    "account",
    "passport",
    "visa",
    "network",
    "call",
    "centre",
    "victim",
    "mule",
    "wallet",
    "vessel",
    "flight",
    "port",
    "customs",
    "seizure",
    "warrant",
    "subscriber",
    "handset",
    "laboratory",
    "pill",
    "press",
    "broker",
    "courier",
)


def message_rows(
    total: int, agency_ids: tuple[str, str]
) -> Iterator[tuple[list[dict[str, Any]], list[dict[str, Any]]]]:
    """Stored messages from India to Canada, realistic text, one case per five messages,
    in batches of 5,000: (cases, messages) rows for the tables as they are."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    batch_cases: list[dict[str, Any]] = []
    batch_messages: list[dict[str, Any]] = []
    for n in range(total):
        if n % 5 == 0:
            case_id = new_id()
            batch_cases.append(
                {
                    "id": case_id,
                    "reference": f"IN-2025-{n // 5:06d}",
                    "title": f"Case {n // 5}",
                    "summary": "",
                    "parties": ["CA", "IN"],
                    "origin_party": "IN",
                    "status": "open",
                    "kind": "standard",
                    "created_by": "bench",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        subject = " ".join(rng.choices(WORDS, k=6))
        body = " ".join(rng.choices(WORDS, k=40)) + f" ref{n:06d}"
        received = now - timedelta(minutes=total - n)
        batch_messages.append(
            {
                "id": new_id(),
                "case_id": case_id,
                "type": "request",
                "direction": "in",
                "from_agency_id": agency_ids[1],
                "to_agency_id": agency_ids[0],
                "from_party": "IN",
                "to_party": "CA",
                "originator_party": "IN",
                "via_officer_ids": [],
                "priority": rng.choice(["urgent", "high", "normal", "low"]),
                "subject": subject,
                "body": body,
                "entities": [],
                "offences": [],
                "contains_personal_data": False,
                "tlp": "AMBER",
                "handling_code": "intelligence_only",
                "legal_basis": "police_cooperation",
                "legal_basis_reference": "",
                "purpose": "bench",
                "named_recipients": [],
                "status": rng.choice(["received"] * 3 + ["answered", "refused"]),
                "reason_text": "",
                "obligations": [],
                "created_by": "node:IN",
                "created_at": received,
                "received_at": received,
                "window_seconds": 604800,
                "deadline_at": received + timedelta(days=7),
                "pauses": [],
                "search_text": normalise_search(f"{subject} {body}"),
            }
        )
        if len(batch_messages) == 5000:
            yield batch_cases, batch_messages
            batch_cases, batch_messages = [], []
    if batch_messages:
        yield batch_cases, batch_messages


def copy_rows(db: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """``rows`` into ``table`` with PostgreSQL's COPY (JSON columns as JSON text)."""
    columns = list(rows[0])
    is_json = [isinstance(table.c[name].type, JSON) for name in columns]
    cursor = db.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row[name]) if as_json else row[name]
                    for name, as_json in zip(columns, is_json, strict=True)
                ]
            )


def populate(factory: sessionmaker[Session], total: int, agency_ids: tuple[str, str]) -> None:
    """``message_rows`` stored: with COPY on PostgreSQL, multi-row INSERTs on SQLite."""
    with factory() as db:
        postgresql = db.get_bind().dialect.name == "postgresql"
        for cases, messages in message_rows(total, agency_ids):
            if postgresql:
                copy_rows(db, Case.__table__, cases)
                copy_rows(db, Message.__table__, messages)
            else:
                db.execute(insert(Case), cases)
                db.execute(insert(Message), messages)
            db.commit()
        if postgresql:
            db.execute(text("ANALYZE"))
            db.commit()


def timed(
    factory: sessionmaker[Session], caller: Caller, flt: InboxFilter, runs: int
) -> list[float]:
    results = []
    for _ in range(runs):
        with factory() as db:
            began = time.perf_counter()
            ExchangeRepository(db, caller).inbox(flt)
            results.append((time.perf_counter() - began) * 1000)
    return results


def inbox(backend: str, total: int, runs: int) -> None:
    cleanup: Callable[[], None]
    if backend == "postgresql":
        schema = f"bench_exchange_{uuid.uuid4().hex[:8]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"

        def cleanup() -> None:
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='bench-inbox-')}/bench.db"

        def cleanup() -> None:
            return None

    engine = make_engine(url)
    try:
        upgrade(engine)
        factory = make_session_factory(engine)
        with factory() as db:
            db.execute(
                text(
                    "INSERT INTO parties (code, name, created_at) VALUES "
                    "('CA', 'Canada', CURRENT_TIMESTAMP), ('IN', 'India', CURRENT_TIMESTAMP)"
                )
            )
            ids = (new_id(), new_id())
            for agency_id, party in zip(ids, ("CA", "IN"), strict=True):
                db.execute(
                    text(
                        "INSERT INTO agencies (id, party_code, name, acronym, mandate_areas, "
                        "created_at, updated_at) VALUES (:id, :p, 'A', :p, '[]', "
                        "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                    ),
                    {"id": agency_id, "p": party},
                )
            db.commit()
        began = time.perf_counter()
        populate(factory, total, ids)
        print(f"[{backend}] stored {total:,} messages in {time.perf_counter() - began:.0f} s")
        officer = Caller("u", "officer", "Officer", Role.LIAISON_OFFICER, ids[0], "CA")
        analyst = Caller("a", "analyst", "Analyst", Role.ANALYST, ids[0], "CA")
        with factory() as db:
            _, cursor = ExchangeRepository(db, officer).inbox(InboxFilter(limit=50))
            for _ in range(200):  # 200 pages deep = 10,000 messages in
                _, cursor = ExchangeRepository(db, officer).inbox(
                    InboxFilter(limit=50, cursor=cursor)
                )
        scenarios = {
            "inbox first page (officer)": (officer, InboxFilter(limit=50)),
            "inbox first page (analyst, by agency)": (analyst, InboxFilter(limit=50)),
            "status=received, priority=urgent": (
                officer,
                InboxFilter(status="received", priority="urgent", limit=50),
            ),
            "overdue": (officer, InboxFilter(overdue=True, limit=50)),
            "page 201 (keyset cursor)": (officer, InboxFilter(limit=50, cursor=cursor)),
            "search rare ('ref004242')": (officer, InboxFilter(search="ref004242", limit=50)),
            "search common ('fentanyl')": (officer, InboxFilter(search="fentanyl", limit=50)),
            "search two words ('pill press')": (
                officer,
                InboxFilter(search="pill press", limit=50),
            ),
        }
        for name, (caller, flt) in scenarios.items():
            values = timed(factory, caller, flt, runs)
            print(
                f"[{backend}] {name}: p50 {statistics.median(values):.1f} ms, "
                f"p95 {percentile(values, 0.95):.1f} ms ({runs} runs, {total:,} messages)"
            )
    finally:
        engine.dispose()
        cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", nargs="?", default="all", choices=["latency", "inbox", "all"])
    parser.add_argument("--backend", default="postgresql", choices=["postgresql", "sqlite"])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--rates", type=float, nargs="*", help="offered rates (5 s each)")
    parser.add_argument(
        "--separate-workers",
        action="store_true",
        help="latency: API processes with --no-worker beside a liaison worker (1 s poll)",
    )
    args = parser.parse_args()
    if args.what in ("latency", "all"):
        counts = {10: 100, 100: 500} if args.rates is None else {r: int(r * 5) for r in args.rates}
        latency(args.backend, counts, separate_workers=args.separate_workers)
    if args.what in ("inbox", "all"):
        inbox(args.backend, args.messages, args.runs)


if __name__ == "__main__":
    main()
