"""End to end over HTTP between two real nodes: a Canadian officer's one-identifier check
through Canada's API (``liaison serve``, its own process and database), over the
federation channel to India's node (another process) and back — sealed envelopes,
both databases, both audit logs, real sockets on 127.0.0.1 — timed from the officer's
side (an HTTP keep-alive client, as a browser is). OpenMined PSI's in-memory
one-item query against the same one-item set is timed in the same run, alternating
with ours, as the baseline (it has no network, no database and no audit).

Run: ``uv sync --group bench && uv run python bench/hitcheck_http.py [--checks 500]
[--backend sqlite|postgresql]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.hitcheck import india_holds
from tests.support.nodes import LiveNode, drop_schemas, peer, pg_schema

PHONE = "+91 98765 43210"
FAST = {
    # the shipped worker poll (the live test nodes poll every 0.2 s to finish tests sooner;
    # a commit wakes the worker at once either way)
    "LIAISON_WORKER_POLL_SECONDS": "1.0",
    "LIAISON_HITCHECK_INDEX_SECONDS": "0.5",
    "LIAISON_HITCHECK_OFFICER_DAILY_QUOTA": "100000000",
    "LIAISON_HITCHECK_AGENCY_DAILY_QUOTA": "100000000",
    "LIAISON_HITCHECK_PEER_DAILY_QUOTA": "100000000",
}


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def _node(party: str, root: Path, backend: str, schemas: list[str]) -> LiveNode:
    url = ""
    if backend == "postgresql":
        schema, url = pg_schema(f"bench_{party.lower()}")
        schemas.append(schema)
    node = LiveNode(party=party, data_dir=root / party.lower(), database_url=url, extra_env=FAST)
    return node.prepare().start()


def _cpu_seconds(node: LiveNode) -> float:
    """CPU time (user + system) the node's server process has used so far."""
    assert node.server is not None
    fields = Path(f"/proc/{node.server.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _idle_rates(canada: LiveNode, india: LiveNode, seconds: float = 5.0) -> tuple[float, float]:
    """CPU seconds per wall second each server spends with no check to answer (its
    in-process workers' polls): under load a check takes longer, so more of these polls
    fall within it; the bench subtracts them to show the check's own CPU."""
    before = _cpu_seconds(canada), _cpu_seconds(india), time.perf_counter()
    time.sleep(seconds)
    took = time.perf_counter() - before[2]
    return (_cpu_seconds(canada) - before[0]) / took, (_cpu_seconds(india) - before[1]) / took


def _openmined_single() -> float:
    import private_set_intersection.python as om

    server = om.server.CreateWithNewKey(False)
    client = om.client.CreateWithNewKey(False)
    setup = server.CreateSetupMessage(1e-9, 1, ["phone:+919876543210"], om.DataStructure.GCS)
    start = time.perf_counter()
    response = server.ProcessRequest(client.CreateRequest(["phone:+919876543210"]))
    client.GetIntersectionSize(setup, response)
    return time.perf_counter() - start


def end_to_end(checks: int, backend: str = "sqlite") -> None:
    schemas: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        canada = india = None
        try:
            canada = _node("CA", root, backend, schemas)
            india = _node("IN", root, backend, schemas)
            peer(canada, india)
            india_holds(india, [{"kind": "phone", "number": PHONE}], 1)
            check = {
                "purpose": "bench: end to end",
                "legal_basis": "police_cooperation",
                "identifiers": [{"category": "phone", "value": PHONE}],
            }
            ours: list[float] = []
            theirs: list[float] = []
            with canada.api("ca-officer") as api:
                for _ in range(20):  # warm up: connections, caches, the first sync
                    assert api.post("/api/v1/hitcheck/checks", json=check).json()["hits"] == 1
                idle = _idle_rates(canada, india)
                cpu_before = _cpu_seconds(canada), _cpu_seconds(india)
                wall_before = time.perf_counter()
                for _ in range(checks):
                    start = time.perf_counter()
                    answer = api.post("/api/v1/hitcheck/checks", json=check)
                    ours.append(time.perf_counter() - start)
                    assert answer.json()["hits"] == 1, answer.text
                    theirs.append(_openmined_single())
                wall = time.perf_counter() - wall_before
                cpu_ca = (_cpu_seconds(canada) - cpu_before[0]) / checks
                cpu_in = (_cpu_seconds(india) - cpu_before[1]) / checks
            net_ca = cpu_ca - idle[0] * wall / checks
            net_in = cpu_in - idle[1] * wall / checks
            print(
                f"end to end over HTTP, two live nodes ({backend}), 1 identifier, "
                f"{checks} checks:\n"
                f"  liaison (CA API -> IN federation endpoint -> CA, sealed, audited both sides)"
                f"  p50 {statistics.median(ours) * 1e3:7.2f} ms  "
                f"p99 {percentile(ours, 0.99) * 1e3:7.2f} ms\n"
                f"  OpenMined PSI 2.0.6, in memory, no network, same run"
                f"                       p50 {statistics.median(theirs) * 1e3:7.2f} ms  "
                f"p99 {percentile(theirs, 0.99) * 1e3:7.2f} ms\n"
                f"  CPU per check (server processes, their in-process workers included): "
                f"Canada {cpu_ca * 1e3:.1f} ms + India {cpu_in * 1e3:.1f} ms"
                f" = {(cpu_ca + cpu_in) * 1e3:.1f} ms (what an unloaded machine's latency is"
                f" made of; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)\n"
                f"  the same net of the processes' idle background work (their workers' polls,"
                f" {idle[0] * 1e3:.1f} + {idle[1] * 1e3:.1f} ms of CPU per second, times the"
                f" run's wall time): Canada {net_ca * 1e3:.1f} ms + India {net_in * 1e3:.1f} ms"
                f" = {(net_ca + net_in) * 1e3:.1f} ms"
            )
        except httpx.HTTPError as error:
            raise SystemExit(f"a node did not answer: {error}") from None
        finally:
            for node in (canada, india):
                if node is not None:
                    node.stop()
            drop_schemas(*schemas)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checks", type=int, default=500)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    end_to_end(args.checks, args.backend)


if __name__ == "__main__":
    main()
