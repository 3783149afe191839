"""The HTTP hit/no-hit bench, paired: two (or more) checkouts of Liaison, each with its
own pair of live nodes (Canada and India, ``liaison serve``), timed in alternating blocks
of checks in one run, so both see the same machine load. On a shared machine the CPU per
check of separate runs swings with the load (30-50 %); paired, the difference between
two commits is what the code does. Each checkout runs its own code: this script starts
itself in each checkout's directory with that checkout's environment (``uv run``).

Run: ``uv run python bench/hitcheck_paired.py [--checks 500] [--block 25] [--idle 15]
[--backend sqlite|postgresql] before=/path/to/old/worktree after=.`` (make the old one
with ``git worktree add --detach ../old COMMIT`` and ``uv sync --frozen --group bench``
there). Prints, per checkout: the servers' CPU per check (gross, and net of their idle
background work measured for ``--idle`` seconds before and after), p50 and p99.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def drive(backend: str, setup: dict[str, Any]) -> None:
    """Child: one pair of nodes of the checkout in the working directory (its own
    ``tests.support``), set up as ``bench/hitcheck_http.py``'s (``setup``: its phone and
    settings, passed by the parent); answers 'checks N' and 'idle S' on stdin with the
    servers' CPU seconds and latencies."""
    sys.path.insert(0, os.getcwd())
    phone, fast = setup["phone"], setup["env"]
    check = {
        "purpose": "bench: paired",
        "legal_basis": "police_cooperation",
        "identifiers": [{"category": "phone", "value": phone}],
    }
    from tests.support.hitcheck import india_holds
    from tests.support.nodes import LiveNode, drop_schemas, peer, pg_schema

    schemas: list[str] = []
    nodes: list[Any] = []

    def start(party: str, root: Path) -> Any:
        url = ""
        if backend == "postgresql":
            schema, url = pg_schema(f"paired_{party.lower()}")
            schemas.append(schema)
        node = LiveNode(
            party=party, data_dir=root / party.lower(), database_url=url, extra_env=fast
        )
        nodes.append(node)
        return node.prepare().start()

    with tempfile.TemporaryDirectory() as tmp:
        try:
            canada, india = start("CA", Path(tmp)), start("IN", Path(tmp))
            peer(canada, india)
            india_holds(india, [{"kind": "phone", "number": phone}], 1)
            pids = canada.server.pid, india.server.pid
            with canada.api("ca-officer") as api:
                for _ in range(30):  # warm up: connections, caches, the first sync
                    assert api.post("/api/v1/hitcheck/checks", json=check).json()["hits"] == 1
                print(json.dumps({"ready": True}), flush=True)
                for line in sys.stdin:
                    command, arg = line.split()
                    before = [_cpu(pid) for pid in pids]
                    started = time.perf_counter()
                    latencies: list[float] = []
                    if command == "checks":
                        for _ in range(int(arg)):
                            at = time.perf_counter()
                            answer = api.post("/api/v1/hitcheck/checks", json=check)
                            latencies.append(time.perf_counter() - at)
                            assert answer.json()["hits"] == 1, answer.text
                    elif command == "idle":
                        time.sleep(float(arg))
                    else:
                        break
                    spent = [_cpu(pid) - cpu for pid, cpu in zip(pids, before, strict=True)]
                    wall = time.perf_counter() - started
                    report = {"ca": spent[0], "in": spent[1], "wall": wall, "lat": latencies}
                    print(json.dumps(report), flush=True)
        finally:
            for node in nodes:
                node.stop()
            drop_schemas(*schemas)


class Side:
    def __init__(self, label: str, checkout: str, backend: str) -> None:
        from hitcheck_http import FAST, PHONE  # the HTTP bench's set-up, run paired

        self.label = label
        setup = json.dumps({"phone": PHONE, "env": FAST})
        self.child = subprocess.Popen(
            ["uv", "run", "python", str(Path(__file__).resolve()), "--drive", backend, setup],
            cwd=checkout,
            env={k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"},  # its own .venv
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.totals = {"ca": 0.0, "in": 0.0, "wall": 0.0}
        self.idle = {"ca": 0.0, "in": 0.0, "wall": 0.0}
        self.latencies: list[float] = []

    def send(self, command: str) -> None:
        assert self.child.stdin is not None
        self.child.stdin.write(command + "\n")
        self.child.stdin.flush()

    def read(self) -> dict[str, Any]:
        assert self.child.stdout is not None
        line = self.child.stdout.readline()
        if not line:
            raise SystemExit(f"{self.label}: its nodes stopped (see the output above)")
        return dict(json.loads(line))

    def add(self, into: dict[str, float], report: dict[str, Any]) -> None:
        for key in into:
            into[key] += report[key]

    def summary(self) -> str:
        n = len(self.latencies)
        idle_ca, idle_in = (self.idle[k] / self.idle["wall"] for k in ("ca", "in"))
        gross = self.totals["ca"] / n, self.totals["in"] / n
        net_ca = gross[0] - idle_ca * self.totals["wall"] / n
        net_in = gross[1] - idle_in * self.totals["wall"] / n
        ordered = sorted(self.latencies)
        return (
            f"  {self.label:>8}: CPU per check Canada {gross[0] * 1e3:5.2f} + India "
            f"{gross[1] * 1e3:5.2f} = {sum(gross) * 1e3:5.2f} ms | idle {idle_ca * 1e3:5.1f}"
            f" + {idle_in * 1e3:5.1f} ms/s | net {net_ca * 1e3:5.2f} + {net_in * 1e3:5.2f} = "
            f"{(net_ca + net_in) * 1e3:5.2f} ms | p50 {statistics.median(ordered) * 1e3:6.2f}"
            f" ms, p99 {ordered[min(n - 1, int(0.99 * n))] * 1e3:6.2f} ms"
        )


def compare(sides: list[Side], checks: int, block: int, idle: float) -> None:
    for side in sides:
        assert side.read().get("ready"), side.label
    loads = [os.getloadavg()[0]]

    def idle_all() -> None:
        for side in sides:
            side.send(f"idle {idle}")
        for side in sides:
            side.add(side.idle, side.read())

    idle_all()
    done = 0
    order = list(sides)
    while done < checks:
        for side in order:
            side.send(f"checks {block}")
            report = side.read()
            side.add(side.totals, report)
            side.latencies += report["lat"]
        order.reverse()  # neither side always goes first
        done += block
        loads.append(os.getloadavg()[0])
    idle_all()
    for side in sides:
        side.send("quit 0")
        side.child.wait()
    print(
        f"paired hit/no-hit checks over HTTP, {done} checks per checkout in alternating blocks"
        f" of {block}; load average {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores"
    )
    for side in sides:
        print(side.summary())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("checkouts", nargs="*", help="LABEL=PATH, two or more")
    parser.add_argument("--checks", type=int, default=500)
    parser.add_argument("--block", type=int, default=25)
    parser.add_argument("--idle", type=float, default=15.0)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--drive", nargs=2, metavar=("BACKEND", "SETUP"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.drive:
        drive(args.drive[0], json.loads(args.drive[1]))
        return
    if len(args.checkouts) < 2:
        parser.error("name two checkouts or more: before=PATH after=PATH")
    sides = [Side(*spec.split("=", 1), args.backend) for spec in args.checkouts]
    try:
        compare(sides, args.checks, args.block, args.idle)
    finally:
        for side in sides:
            if side.child.poll() is None:
                side.child.kill()


if __name__ == "__main__":
    main()
