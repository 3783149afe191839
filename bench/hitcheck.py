"""Hit/no-hit (PSI): this project's ristretto255 OPRF vs OpenMined PSI 2.0.6 (P-256), same
run, same data.

Prints, for both: server setup items/s over N identifiers (ours: the answerer's tags, on
one thread and on one thread per core; OpenMined: its GCS setup message), measured in
alternating rounds (ours, OpenMined, ours threaded, then again) so that both see the
same machine load, with the median of the per-round ratios; the latency of a
one-identifier query against the cached setup (p50/p99: blind, evaluate, unblind, look
up); a bulk query of Q identifiers against the N set; and bytes on the wire per
identifier (query, answer, setup). ``--items 1000000`` adds one setup round of that
size. ``--setup-only`` measures the setup alone (no queries), so the 1M-identifier setup
runs in bounded time: ``--n 1000000 --rounds 1 --setup-only`` (a few CPU minutes: ours on
one thread, OpenMined, ours on one thread per core). With ``--http``, also one-identifier
checks end to end between two live node processes (bench/hitcheck_http.py).
Run: ``uv sync --group bench && uv run python bench/hitcheck.py [--n 100000] [--q 10000]
[--rounds 3] [--items 1000000] [--setup-only] [--http]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import private_set_intersection.python as om

from liaison.hitcheck import psi

FPR = 1e-9
SECRET = b"\x07" * 32


def identifiers(n: int, prefix: str) -> list[str]:
    return [f"phone:+91{prefix}{i:08d}" for i in range(n)]


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


class Ours:
    name = "liaison (ristretto255, libsodium)"

    def __init__(self, server_items: list[str], workers: int = 1) -> None:
        self.key = psi.derive_key(SECRET, 1)
        self.server_items = server_items
        self.workers = workers
        self.tags: set[bytes] = set()

    def setup(self) -> None:
        self.tags = set(psi.index_tags(self.key, self.server_items, self.workers))

    def query(self, items: list[str]) -> int:
        blinded = psi.Blinded(items)
        evaluated = psi.evaluate(self.key, blinded.points)  # the answerer's step
        return sum(tag in self.tags for tag in blinded.tags(evaluated))

    def wire(self, q: int) -> tuple[float, float, float]:
        return psi.POINT_BYTES, psi.POINT_BYTES, psi.TAG_BYTES


class OpenMined:
    name = "OpenMined PSI 2.0.6 (P-256, GCS)"

    def __init__(self, server_items: list[str]) -> None:
        self.server = om.server.CreateWithNewKey(False)
        self.client = om.client.CreateWithNewKey(False)
        self.server_items = server_items
        self.setup_message: om.ServerSetup | None = None
        self.last: tuple[int, int] = (0, 0)

    def setup(self, client_inputs: int = 1) -> None:
        self.setup_message = self.server.CreateSetupMessage(
            FPR, client_inputs, self.server_items, om.DataStructure.GCS
        )

    def query(self, items: list[str]) -> int:
        request = self.client.CreateRequest(items)
        response = self.server.ProcessRequest(request)
        self.last = (request.ByteSize(), response.ByteSize())
        return int(self.client.GetIntersectionSize(self.setup_message, response))

    def wire(self, q: int) -> tuple[float, float, float]:
        assert self.setup_message is not None
        self.query(identifiers(q, "55"))
        return (
            self.last[0] / q,
            self.last[1] / q,
            self.setup_message.ByteSize() / len(self.server_items),
        )


def timed_cpu(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process, all threads)."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def setup_rounds(server_items: list[str], rounds: int) -> None:
    """Setup rate, alternating ours / OpenMined / ours threaded each round: items per
    wall second, and items per CPU second (what a loaded, shared machine distorts least)."""
    n = len(server_items)
    workers = psi.cores()
    sides = [Ours(server_items), OpenMined(server_items), Ours(server_items, workers)]
    walls: list[list[float]] = [[], [], []]
    cpus: list[list[float]] = [[], [], []]
    for _ in range(rounds):
        for side, wall, cpu in zip(sides, walls, cpus, strict=True):
            took, used = timed_cpu(side.setup)
            wall.append(n / took)
            cpu.append(n / used)
    names = ["liaison, 1 thread", "OpenMined PSI 2.0.6", f"liaison, {workers} threads"]
    print(
        f"setup of N={n:,} identifiers, {rounds} alternating round(s)"
        f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):"
    )
    for name, wall, cpu in zip(names, walls, cpus, strict=True):
        print(
            f"  {name:22s} items/s (wall) {'  '.join(f'{r:7,.0f}' for r in wall)}"
            f"  median {statistics.median(wall):7,.0f}"
            f"   items/CPU-s {statistics.median(cpu):7,.0f}"
        )
    compared = (("1 thread", walls[0], cpus[0]), (f"{workers} thr", walls[2], cpus[2]))
    for label, wall, cpu in compared:
        ratios = [o / t for o, t in zip(wall, walls[1], strict=True)]
        per_cpu = [o / t for o, t in zip(cpu, cpus[1], strict=True)]
        print(
            f"  ours ({label}) / OpenMined: wall {' '.join(f'{r:.2f}' for r in ratios)}"
            f" median {statistics.median(ratios):.2f}x;"
            f" per CPU-s median {statistics.median(per_cpu):.2f}x"
        )
    print(f"  (load average after: {os.getloadavg()[0]:.1f})\n")


def run(n: int, q: int, repeats: int, rounds: int) -> None:
    server_items = identifiers(n, "98")
    hits = server_items[: q // 2]
    bulk = hits + identifiers(q - len(hits), "77")
    print(f"server set N={n:,}; bulk query Q={q:,} ({len(hits):,} members); FPR {FPR:g}\n")
    setup_rounds(server_items, rounds)
    rows = []
    for cls in (Ours, OpenMined):
        side = cls(server_items)
        side.setup()
        singles = [
            timed(lambda i=i, side=side: side.query([server_items[(i * 7919) % n]]))
            for i in range(repeats)
        ]
        if isinstance(side, OpenMined):
            side.setup(q)  # OpenMined sizes its setup for the number of client inputs
        found = side.query(bulk)
        bulk_s = timed(lambda side=side: side.query(bulk))
        query_b, answer_b, setup_b = side.wire(q)
        rows.append((side.name, singles, bulk_s, found, query_b, answer_b, setup_b))
    for name, singles, bulk_s, found, query_b, answer_b, setup_b in rows:
        print(name)
        print(
            f"  1-item query     p50 {statistics.median(singles) * 1e3:7.3f} ms   "
            f"p99 {percentile(singles, 0.99) * 1e3:7.3f} ms   ({len(singles)} queries)"
        )
        print(f"  {q:,}-item query  {bulk_s:8.3f} s   ({found:,} hits found)")
        print(
            f"  bytes/identifier query {query_b:.2f}  answer {answer_b:.2f}  "
            f"setup (per server item) {setup_b:.2f}"
        )
    ours, theirs = rows
    print(
        f"\nratios (ours vs OpenMined): "
        f"1-item p50 {statistics.median(theirs[1]) / statistics.median(ours[1]):.2f}x faster, "
        f"bulk {theirs[2] / ours[2]:.2f}x faster"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--q", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="alternating setup rounds")
    parser.add_argument("--items", type=int, help="also a setup of this many items (1 round)")
    parser.add_argument("--setup-only", action="store_true", help="setup rounds only, no queries")
    parser.add_argument("--http", action="store_true", help="end to end between two live nodes")
    args = parser.parse_args()
    if args.setup_only:
        setup_rounds(identifiers(args.n, "98"), args.rounds)
    else:
        run(args.n, args.q, args.repeats, args.rounds)
    if args.items:
        print(f"\n--- setup of {args.items:,} server items ---")
        setup_rounds(identifiers(args.items, "98"), 1)
    if args.http:
        from bench.hitcheck_http import end_to_end

        end_to_end(args.repeats)


if __name__ == "__main__":
    main()
