"""Federation throughput and latency between two real nodes on loopback.

Prints, for SQLite and PostgreSQL: sustained envelopes/s end to end (applied and
committed at the receiver, signed receipt stored at the sender) for 1 KiB payloads,
p50/p99 latency at a steady 100 envelopes/s, and beside them the raw crypto ceiling
on one core (seal = sign + encrypt, open = verify + decrypt), so the overhead is
visible. Beside the sustained rate: the CPU each node's process spent per envelope
in that phase (from /proc, so a loaded machine inflates the wall time, hardly this).
Run: ``uv run python bench/federation.py [--messages 5000]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select
from tests.support.nodes import LiveNode as Node
from tests.support.nodes import drop_schemas, peer, pg_schema

from liaison.config import Settings
from liaison.federation import envelope as env
from liaison.federation.control import PING, PingPayload
from liaison.federation.outbox import enqueue
from liaison.kit.crypto import NodeKeyPair
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.models import OutboxMessage

PAYLOAD = "x" * 1024


def crypto_ceiling(seconds: float = 2.0) -> float:
    now = datetime.now(UTC)
    sender = NodeKeyPair.generate(now, now + timedelta(days=1))
    recipient = NodeKeyPair.generate(now, now + timedelta(days=1))
    ref_s = env.NodeRef(party="CA", node="liaison-ca", key=sender.public.key_id)
    ref_r = env.NodeRef(party="IN", node="liaison-in", key=recipient.public.key_id)
    payload = PingPayload(data=PAYLOAD).model_dump_json().encode()
    done, began = 0, time.perf_counter()
    while time.perf_counter() - began < seconds:
        header = env.new_header(
            "01900000-0000-7000-8000-000000000001", PING, ref_s, ref_r, done + 1, now, now
        )
        parsed = env.parse(env.seal(header, payload, sender, recipient.public), 1 << 20)
        env.verify(parsed, sender.public)
        env.decrypt(parsed, recipient, sender.public)
        done += 1
    return done / (time.perf_counter() - began)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def node_settings(node: Node) -> Settings:
    return Settings(
        party=node.party,
        node_name=node.name,
        data_dir=node.data_dir,
        database_url=node.database_url,
    )


def pending(factory: object) -> int:
    with factory() as db:  # type: ignore[operator]
        return int(
            db.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == "pending")
            )
        )


def throughput(canada: Node, messages: int) -> float:
    """Queue ``messages`` pings in one transaction; rate from first to last receipt."""
    settings = node_settings(canada)
    engine = make_engine(settings.effective_database_url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as db:
        first_id = None
        for _ in range(messages):
            row = enqueue(db, PING, {"data": PAYLOAD}, peers=["IN"])[0]
            first_id = first_id or row.id
    deadline = time.monotonic() + 600
    while pending(factory) and time.monotonic() < deadline:
        time.sleep(0.2)
    with factory() as db:
        first, last = db.execute(
            select(
                func.min(OutboxMessage.delivered_at), func.max(OutboxMessage.delivered_at)
            ).where(OutboxMessage.id >= first_id)
        ).one()
    engine.dispose()
    return messages / max((last - first).total_seconds(), 1e-6)


def steady_latency(canada: Node, rate: int, seconds: int) -> tuple[float, float]:
    """Pings through the API at ``rate``/s; latency = queued → receipt stored."""
    ids = []
    with canada.api("ca-admin") as api:
        began = time.perf_counter()
        for i in range(rate * seconds):
            target = began + i / rate
            time.sleep(max(0.0, target - time.perf_counter()))
            ids.append(api.post("/api/v1/peers/IN/ping", json={"data": PAYLOAD}).json()["id"])
    settings = node_settings(canada)
    engine = make_engine(settings.effective_database_url)
    factory = make_session_factory(engine)
    while pending(factory):
        time.sleep(0.2)
    with factory() as db:
        rows = db.execute(
            select(OutboxMessage.created_at, OutboxMessage.delivered_at).where(
                OutboxMessage.id.in_(ids)
            )
        ).all()
    engine.dispose()
    latencies = sorted((d - c).total_seconds() * 1000 for c, d in rows)
    return statistics.median(latencies), latencies[int(len(latencies) * 0.99) - 1]


def run_backend(backend: str, root: Path, messages: int) -> dict[str, float]:
    schemas: list[str] = []
    nodes = []
    for party in ("CA", "IN"):
        url = ""
        if backend == "postgresql":
            schema, url = pg_schema(party.lower())
            schemas.append(schema)
        node = Node(party=party, data_dir=root / backend / party.lower(), database_url=url)
        node.data_dir.mkdir(parents=True)
        node.prepare()
        node.start()
        nodes.append(node)
    canada, india = nodes
    try:
        peer(canada, india)
        time.sleep(2)
        pids = [node.server.pid for node in nodes if node.server is not None]
        before = [cpu_seconds(pid) for pid in pids]
        sustained = throughput(canada, messages)
        sender_cpu, receiver_cpu = (
            (cpu_seconds(pid) - spent) / messages * 1e6
            for pid, spent in zip(pids, before, strict=True)
        )
        p50, p99 = steady_latency(canada, rate=100, seconds=10)
    finally:
        canada.stop()
        india.stop()
        for schema in schemas:
            drop_schemas(schema)
    return {
        "sustained": sustained,
        "sender_us": sender_cpu,
        "receiver_us": receiver_cpu,
        "p50": p50,
        "p99": p99,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=5000)
    args = parser.parse_args()
    ceiling = crypto_ceiling()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for backend in ("sqlite", "postgresql"):
            results[backend] = run_backend(backend, Path(tmp), args.messages)
            print(f"{backend}: {results[backend]} load {os.getloadavg()}", flush=True)
    print(f"load average (1, 5, 15 min): {os.getloadavg()}")
    print(
        f"raw crypto ceiling (seal + parse + verify + decrypt, 1 KiB, one core): "
        f"{ceiling:,.0f} envelopes/s"
    )
    print(
        f"{'backend':<12}{'sustained env/s':>18}{'of ceiling':>12}"
        f"{'CPU/env sender':>16}{'receiver':>10}{'p50 @100/s':>14}{'p99 @100/s':>14}"
    )
    for backend, r in results.items():
        print(
            f"{backend:<12}{r['sustained']:>18,.0f}{r['sustained'] / ceiling:>12.1%}"
            f"{r['sender_us']:>13,.0f} µs{r['receiver_us']:>7,.0f} µs"
            f"{r['p50']:>11.1f} ms{r['p99']:>11.1f} ms"
        )
    print("targets (issue): >= 1,000 envelopes/s on PostgreSQL with batching; p99 < 100 ms")


if __name__ == "__main__":
    main()
