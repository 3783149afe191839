"""Hit/no-hit (PSI): this project's ristretto255 OPRF vs OpenMined PSI 2.0.6 (P-256), same
run, same data.

Prints, for both: server setup items/s over N identifiers (ours: the answerer's tags;
OpenMined: its GCS setup message); the latency of a one-identifier query against the
cached setup (p50/p99: blind, evaluate, unblind, look up); a bulk query of Q identifiers
against the N set; and bytes on the wire per identifier (query, answer, setup).
With ``--http``, also one-identifier checks end to end through the API of two nodes in
this process (Canada asks India over the federation endpoint, sealed envelopes, both
databases; ASGI in-process, no sockets).
Run: ``uv sync --group bench && uv run python bench/hitcheck.py [--n 100000] [--q 10000]
[--million] [--http]``.
"""

from __future__ import annotations

import argparse
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

    def __init__(self, server_items: list[str]) -> None:
        self.key = psi.derive_key(SECRET, 1)
        self.server_items = server_items
        self.tags: set[bytes] = set()

    def setup(self) -> None:
        self.tags = set(psi.index_tags(self.key, self.server_items))

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


def run(n: int, q: int, repeats: int) -> None:
    server_items = identifiers(n, "98")
    hits = server_items[: q // 2]
    bulk = hits + identifiers(q - len(hits), "77")
    print(f"server set N={n:,}; bulk query Q={q:,} ({len(hits):,} members); FPR {FPR:g}\n")
    rows = []
    for cls in (Ours, OpenMined):
        side = cls(server_items)
        setup_s = timed(side.setup)
        singles = [
            timed(lambda i=i, side=side: side.query([server_items[(i * 7919) % n]]))
            for i in range(repeats)
        ]
        if isinstance(side, OpenMined):
            side.setup(q)  # OpenMined sizes its setup for the number of client inputs
        found = side.query(bulk)
        bulk_s = timed(lambda side=side: side.query(bulk))
        query_b, answer_b, setup_b = side.wire(q)
        rows.append((side.name, n / setup_s, singles, bulk_s, found, query_b, answer_b, setup_b))
    for name, rate, singles, bulk_s, found, query_b, answer_b, setup_b in rows:
        print(name)
        print(f"  setup            {rate:>12,.0f} items/s")
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
        f"\nratios (ours vs OpenMined): setup {ours[1] / theirs[1]:.2f}x, "
        f"1-item p50 {statistics.median(theirs[2]) / statistics.median(ours[2]):.2f}x faster, "
        f"bulk {theirs[3] / ours[3]:.2f}x faster"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--q", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=300)
    parser.add_argument("--million", action="store_true", help="also a 1M-item setup")
    parser.add_argument("--http", action="store_true", help="end to end through two nodes")
    args = parser.parse_args()
    run(args.n, args.q, args.repeats)
    if args.million:
        print("\n--- 1,000,000 server items ---")
        run(1_000_000, args.q, 100)
    if args.http:
        from bench.hitcheck_http import end_to_end

        end_to_end(args.repeats)


if __name__ == "__main__":
    main()
