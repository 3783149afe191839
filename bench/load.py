"""Load test of a node scaled out on PostgreSQL, on loopback, bounded in time.

Canada's node: 2 ``liaison serve`` processes (no in-process worker) behind a round-robin
load balancer (bench/load_proxy.py: per TCP connection, as nginx's ``stream`` would),
2 ``liaison worker`` processes with their Prometheus metrics, one PostgreSQL schema
pre-filled with ``--messages`` stored messages (bench/exchange.py's generator, COPY).
Two peers (India, the United States; SQLite, each with its worker) keep composing to
Canada through their APIs, so federation traffic flows in while Canadian officers
(asyncio + httpx, closed loop, exponential think time) read inbox pages (API and web),
open threads, search and compose to the peers. Every ``--sample-seconds``: p50/p99 per
operation, errors, PostgreSQL connections of the node (pg_stat_activity), RSS of every
process; a summary table at the end.

Run: ``uv run python bench/load.py [--minutes 30] [--messages 1000000]``;
short form for development: ``--minutes 2 --messages 50000``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx
from bench.exchange import agencies_of, populate
from bench.load_traffic import Officer, Sampler, Stats, peer_sender, summary
from sqlalchemy import text
from sqlalchemy.engine import Engine
from tests.support.accounts import demo_password
from tests.support.nodes import LiveNode as Node
from tests.support.nodes import drop_schemas, free_port, peer, pg_schema, wait_for, wait_healthy
from tests.support.web import web_login

from liaison.kit.db import make_engine, make_session_factory

APP_NAME = "liaison-load-ca"  # the node's connections in pg_stat_activity
PEERS = {"IN": ("in-officer", "IN:MHA"), "US": ("us-officer", "US:DEA")}


class Stack:
    """Canada's scaled-out node and its two peers, as processes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.schema, url = pg_schema("load")
        self.url = url  # for the bench's own queries (not counted as the node's)
        self.canada = Node("CA", root / "ca", database_url=f"{url}&application_name={APP_NAME}")
        self.peers = {party: Node(party, root / party.lower()) for party in PEERS}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.metrics_ports = [free_port(), free_port()]

    def start(self) -> None:
        canada = self.canada
        nodes = [canada, *self.peers.values()]
        with ThreadPoolExecutor(len(nodes)) as pool:  # init and seed: minutes on a busy machine
            list(pool.map(Node.prepare, nodes))
        apis = [free_port(), free_port()]
        for n, port in enumerate(apis, 1):
            self.processes[f"api {n}"] = canada.spawn("serve", "--no-worker", "--port", str(port))
        for n, port in enumerate(self.metrics_ports, 1):
            self.processes[f"worker {n}"] = canada.spawn("worker", "--metrics-port", str(port))
        proxy = Path(__file__).with_name("load_proxy.py")
        self.processes["load balancer"] = subprocess.Popen(
            [sys.executable, str(proxy), "--listen", str(canada.port), "--upstream"]
            + [str(p) for p in apis]
        )
        for n, port in enumerate(apis, 1):
            wait_healthy(f"http://127.0.0.1:{port}", self.processes[f"api {n}"])
        wait_healthy(canada.url, self.processes["load balancer"])
        for party, node in self.peers.items():
            node.start()
            self.processes[f"peer {party}"] = node.server  # type: ignore[assignment]
            # (as the operators do; a party already in the directory is refused: fine)
            canada.cli("directory", "add-party", party, check=False)
            node.cli("directory", "add-party", canada.party, check=False)
            peer(canada, node)
        for party, (_, acronym) in PEERS.items():
            wait_for(
                lambda p=party, a=acronym: a in agencies_of(canada, p),
                timeout=300,
                what=f"{party}'s directory at Canada",
            )
            wait_for(
                lambda n=self.peers[party]: "CA:RCMP" in agencies_of(n, "CA"),
                timeout=300,
                what=f"Canada's directory at {party}",
            )

    def stop(self) -> None:
        own = [p for name, p in self.processes.items() if not name.startswith("peer")]
        for process in own:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in own:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for node in self.peers.values():
            node.stop()
        drop_schemas(self.schema)


def fill(stack: Stack, messages: int) -> None:
    engine = make_engine(stack.url)
    try:
        ca = agencies_of(stack.canada, "CA")["CA:RCMP"]
        india = agencies_of(stack.canada, "IN")["IN:NCB"]
        began = time.perf_counter()
        populate(make_session_factory(engine), messages, (ca, india))
        print(f"stored {messages:,} messages in {time.perf_counter() - began:.0f} s", flush=True)
    finally:
        engine.dispose()


def probes(
    engine: Engine,
) -> tuple[Callable[[], tuple[int, int]], Callable[[], dict[str, int]]]:
    def connections() -> tuple[int, int]:
        with engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT count(*), count(*) FILTER (WHERE state = 'active')"
                    " FROM pg_stat_activity WHERE application_name = :name"
                ),
                {"name": APP_NAME},
            ).one()
        return int(row[0]), int(row[1])

    def backlog() -> dict[str, int]:
        with engine.connect() as conn:
            pending = conn.execute(
                text("SELECT count(*) FROM outbox WHERE status = 'pending'")
            ).scalar_one()
            arrived = conn.execute(
                text(
                    "SELECT from_party, count(*) FROM exchange_messages"
                    " WHERE subject LIKE 'load peer message %' GROUP BY from_party"
                )
            ).all()
        return {"outbox pending": int(pending)} | {f"from {p}": int(n) for p, n in arrived}

    return connections, backlog


async def traffic(stack: Stack, args: argparse.Namespace, engine: Engine) -> None:
    canada = stack.canada
    ca = agencies_of(canada, "CA")
    recipients = [
        {"CA:RCMP": ca["CA:RCMP"], "IN:NCB": agencies_of(canada, party)[acronym]}
        for party, (_, acronym) in PEERS.items()
    ]
    stats = Stats()
    token = canada.token("ca-officer")
    with httpx.Client(base_url=canada.url, timeout=60) as browser:
        assert web_login(browser, "ca-officer", demo_password("ca-officer")) == 303
        cookies = dict(browser.cookies)
    connections, backlog = probes(engine)
    processes = {name: p.pid for name, p in stack.processes.items()} | {
        "load generator": os.getpid()
    }
    sampler = Sampler(stats, processes, connections, backlog, args.sample_seconds)
    stop = asyncio.Event()
    # idle connections closed before uvicorn's 5 s keep-alive timeout closes them under a
    # request (through a TCP balancer the client cannot tell; browsers retry, httpx not)
    limits = httpx.Limits(max_connections=4, keepalive_expiry=4)
    async with AsyncExitStack() as clients:
        tasks = []
        for n in range(args.officers):
            api = await clients.enter_async_context(
                httpx.AsyncClient(
                    base_url=canada.url,
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=60,
                    limits=limits,
                )
            )
            web = await clients.enter_async_context(
                httpx.AsyncClient(base_url=canada.url, cookies=cookies, timeout=60, limits=limits)
            )
            officer = Officer(api, web, random.Random(n), stats, recipients)
            tasks.append(asyncio.create_task(officer.run(stop, args.think)))
        senders = []
        for party, (username, acronym) in PEERS.items():
            node = stack.peers[party]
            theirs = agencies_of(node, party)
            at_canada = agencies_of(node, "CA")
            body_agencies = {"CA:RCMP": theirs[acronym], "IN:NCB": at_canada["CA:RCMP"]}
            client = await clients.enter_async_context(
                httpx.AsyncClient(
                    base_url=node.url,
                    headers={"Authorization": f"Bearer {node.token(username)}"},
                    timeout=60,
                )
            )
            senders.append(
                asyncio.create_task(
                    peer_sender(
                        client, body_agencies, args.peer_rate, stop, stats, f"peer {party} compose"
                    )
                )
            )
        began = time.monotonic()
        sampling = asyncio.create_task(sampler.run(stop, began))
        await asyncio.sleep(args.minutes * 60)
        stop.set()
        await asyncio.gather(*tasks, sampling)
        sent = dict(zip(PEERS, await asyncio.gather(*senders), strict=True))
        seconds = time.monotonic() - began
    wait_for(
        lambda: all(backlog().get(f"from {p}", 0) >= n for p, n in sent.items()),
        timeout=300,
        what="the peers' messages to arrive at Canada",
    )
    print(f"peer messages sent {sent}, arrived at Canada: {backlog()}")
    summary(stats, sampler, seconds)
    for n, port in enumerate(stack.metrics_ports, 1):
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        wanted = ("liaison_envelopes_settled_total", "liaison_delivery_latency_seconds_")
        lines = [
            line
            for line in metrics.splitlines()
            if line.startswith(wanted) and "_bucket" not in line
        ]
        print(f"worker {n} metrics: {'; '.join(lines)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--officers", type=int, default=24)
    parser.add_argument("--think", type=float, default=2.0, help="mean seconds between actions")
    parser.add_argument("--peer-rate", type=float, default=0.5, help="messages/s from each peer")
    parser.add_argument("--sample-seconds", type=float, default=30)
    args = parser.parse_args()
    print(f"load test: {args} load average {os.getloadavg()}", flush=True)
    stack = Stack(Path(tempfile.mkdtemp(prefix="bench-load-")))
    engine = make_engine(stack.url)
    try:
        stack.start()
        fill(stack, args.messages)
        asyncio.run(traffic(stack, args, engine))
    finally:
        engine.dispose()
        stack.stop()


if __name__ == "__main__":
    main()
