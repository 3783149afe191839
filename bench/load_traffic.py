"""The traffic and the figures of bench/load.py: officers (asyncio + httpx, closed loop
with think time), peers sending federation traffic, per-operation latencies and the
30-second samples (PostgreSQL connections, RSS of every process)."""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from bench.demo_startup import rss_mib
from bench.exchange import WORDS, percentile
from tests.exchange import payloads

HTML = {"Accept": "text/html,application/xhtml+xml"}

# what an officer does next, and how often (relative weights)
OPERATIONS = {
    "inbox first page": 30,
    "inbox next page": 12,
    "inbox page (web)": 10,
    "open thread": 25,
    "search": 15,
    "compose": 8,
}


@dataclass
class Stats:
    """Latencies (ms) and failures per operation: since the last sample, and in all."""

    window: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    total: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    window_errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: dict[str, str] = field(default_factory=dict)

    def record(self, op: str, ms: float, failure: str | None) -> None:
        self.window[op].append(ms)
        self.total[op].append(ms)
        if failure is not None:
            self.window_errors[op] += 1
            self.errors[op] += 1
            self.error_samples.setdefault(op, failure[:300])

    def take_window(self) -> tuple[dict[str, list[float]], dict[str, int]]:
        window, errors = self.window, self.window_errors
        self.window, self.window_errors = defaultdict(list), defaultdict(int)
        return window, errors


def describe(values: list[float]) -> str:
    if not values:
        return "-"
    return f"p50 {statistics.median(values):.0f} / p99 {percentile(values, 0.99):.0f} ms"


async def timed(
    stats: Stats, op: str, call: Awaitable[httpx.Response], ok: int = 200
) -> httpx.Response | None:
    began = time.perf_counter()
    failure: str | None = None
    response: httpx.Response | None = None
    try:
        response = await call
        if response.status_code != ok:
            failure = f"{response.status_code}: {response.text}"
    except httpx.HTTPError as exc:
        failure = f"{type(exc).__name__}: {exc}"
    stats.record(op, (time.perf_counter() - began) * 1000, failure)
    return response if failure is None else None


@dataclass
class Officer:
    """One officer at the Canadian node: an API token client and a signed-in browser."""

    api: httpx.AsyncClient
    web: httpx.AsyncClient
    rng: random.Random
    stats: Stats
    recipients: list[dict[str, str]]  # compose bodies' agencies, one per peer
    cursor: str | None = None
    seen: list[str] = field(default_factory=list)  # case ids from the last page

    async def _page(self, op: str, params: dict[str, Any]) -> None:
        response = await timed(
            self.stats, op, self.api.get("/api/v1/exchange/inbox", params=params)
        )
        if response is not None:
            page = response.json()
            self.cursor = page["next_cursor"]
            if page["items"]:
                self.seen = [item["case_id"] for item in page["items"]]

    async def act(self, op: str) -> None:
        if op == "inbox first page":
            await self._page(op, {"limit": 50})
        elif op == "inbox next page":
            await self._page(op, {"limit": 50, **({"cursor": self.cursor} if self.cursor else {})})
        elif op == "inbox page (web)":
            await timed(self.stats, op, self.web.get("/exchange", headers=HTML))
        elif op == "open thread" and self.seen:
            case_id = self.rng.choice(self.seen)
            await timed(self.stats, op, self.api.get(f"/api/v1/exchange/cases/{case_id}"))
        elif op == "search":
            words = " ".join(self.rng.sample(WORDS, k=self.rng.choice([1, 2])))
            params = {"search": words, "limit": 50}
            await timed(self.stats, op, self.api.get("/api/v1/exchange/inbox", params=params))
        elif op == "compose":
            agencies = self.rng.choice(self.recipients)
            body = payloads.compose(
                agencies, subject=f"load officer message {self.rng.getrandbits(32):08x}"
            )
            await timed(self.stats, op, self.api.post("/api/v1/exchange/cases", json=body), 201)

    async def run(self, stop: asyncio.Event, think: float) -> None:
        names, weights = list(OPERATIONS), list(OPERATIONS.values())
        await asyncio.sleep(self.rng.uniform(0, think))
        while not stop.is_set():
            await self.act(self.rng.choices(names, weights)[0])
            await asyncio.sleep(self.rng.expovariate(1 / think))


async def peer_sender(
    api: httpx.AsyncClient,
    agencies: dict[str, str],
    rate: float,
    stop: asyncio.Event,
    stats: Stats,
    op: str,
) -> int:
    """A peer's officer composing to Canada at ``rate`` messages/s; returns how many."""
    sent = 0
    began = time.monotonic()
    while not stop.is_set():
        delay = began + sent / rate - time.monotonic()
        if delay > 0:
            try:
                await asyncio.wait_for(stop.wait(), delay)
                break
            except TimeoutError:
                pass
        body = payloads.compose(agencies, subject=f"load peer message {sent}")
        await timed(stats, op, api.post("/api/v1/exchange/cases", json=body), 201)
        sent += 1
    return sent


@dataclass
class Sampler:
    """Every ``every`` seconds: the window's latencies per operation, error counts,
    PostgreSQL connections, RSS of each process; keeps the samples for the summary."""

    stats: Stats
    processes: dict[str, int]  # name -> pid
    connections: Callable[[], tuple[int, int]]  # (all, active)
    backlog: Callable[[], dict[str, int]]  # e.g. outbox pending, peer messages applied
    every: float
    rss: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    pg: list[tuple[int, int]] = field(default_factory=list)

    def sample(self, began: float) -> None:
        window, errors = self.stats.take_window()
        elapsed = time.monotonic() - began
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        pg = self.connections()
        self.pg.append(pg)
        print(
            f"--- t={elapsed / 60:5.1f} min  load average {load}  PostgreSQL connections "
            f"{pg[0]} ({pg[1]} active)  {self.backlog()}",
            flush=True,
        )
        for op in sorted(window):
            print(
                f"    {op:<22}{len(window[op]):>6} calls  {describe(window[op]):<26}"
                f"{errors.get(op, 0):>4} errors",
                flush=True,
            )
        parts = []
        for name, pid in self.processes.items():
            try:
                mb = rss_mib(pid)
            except OSError:  # the process has gone
                continue
            self.rss[name].append(mb)
            parts.append(f"{name} {mb:.0f}")
        print(f"    RSS MB: {', '.join(parts)}", flush=True)

    async def run(self, stop: asyncio.Event, began: float) -> None:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), self.every)
            except TimeoutError:
                await asyncio.to_thread(self.sample, began)


def summary(stats: Stats, sampler: Sampler, seconds: float) -> None:
    print(
        f"\n=== summary: {seconds / 60:.1f} min, load average now "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} (shared 2-core machine) ==="
    )
    print(f"{'operation':<24}{'calls':>8}{'per s':>8}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    calls = failures = 0
    for op in sorted(stats.total):
        values = stats.total[op]
        calls += len(values)
        failures += stats.errors.get(op, 0)
        print(
            f"{op:<24}{len(values):>8}{len(values) / seconds:>8.1f}"
            f"{statistics.median(values):>9.0f}{percentile(values, 0.99):>9.0f}"
            f"{stats.errors.get(op, 0):>8}"
        )
    print(f"error rate: {failures}/{calls} = {failures / max(calls, 1):.3%}")
    for op, sample in stats.error_samples.items():
        print(f"  first error of {op}: {sample}")
    if sampler.pg:
        print(
            f"PostgreSQL connections of the node: max {max(c for c, _ in sampler.pg)}, "
            f"max active {max(a for _, a in sampler.pg)}"
        )
    print(f"{'process':<22}{'RSS first':>11}{'max':>8}{'last':>8}  (MB)")
    for name, values in sampler.rss.items():
        print(f"{name:<22}{values[0]:>11.0f}{max(values):>8.0f}{values[-1]:>8.0f}")
