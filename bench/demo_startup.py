"""Demo start-up time, node memory at rest and API latency, against DESIGN.md §5b budgets.

Run: ``uv run python bench/demo_startup.py`` (or ``make bench``). It starts the real
demo twice (first run migrates and seeds; second run finds everything in place),
reads each node's resident memory, then times directory reads over loopback.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.nodes import two_free_ports


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]


def start_demo(data_dir: Path, base: int) -> tuple[subprocess.Popen[bytes], float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "liaison",
            "demo",
            "--data-dir",
            str(data_dir),
            "--base-port",
            str(base),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for port in (base, base + 1):
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
    return process, time.perf_counter() - started


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)


def api_token(data_dir: Path) -> str:
    env = {**os.environ, "LIAISON_DATA_DIR": str(data_dir / "ca"), "LIAISON_PARTY": "CA"}
    out = subprocess.run(
        [sys.executable, "-m", "liaison", "user", "token", "ca-analyst"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()[0]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp) / "demo"
        base = two_free_ports()
        first, first_seconds = start_demo(data_dir, base)
        stop(first)
        second, warm_seconds = start_demo(data_dir, base)
        time.sleep(2)
        node_rss = [rss_mib(pid) for pid in children(second.pid)]
        token = api_token(data_dir)
        latencies = []
        with httpx.Client(
            base_url=f"http://127.0.0.1:{base}", headers={"Authorization": f"Bearer {token}"}
        ) as client:
            for _ in range(50):
                client.get("/api/v1/agencies")
            began = time.perf_counter()
            for _ in range(1000):
                t0 = time.perf_counter()
                assert client.get("/api/v1/agencies").status_code == 200
                latencies.append((time.perf_counter() - t0) * 1000)
            rate = 1000 / (time.perf_counter() - began)
        stop(second)
    latencies.sort()
    rows = [
        ("demo ready, first run (migrate + seed)", f"{first_seconds:.2f} s", "< 60 s"),
        ("demo ready, second run", f"{warm_seconds:.2f} s", "< 60 s"),
        ("node RSS at rest (CA, IN)", ", ".join(f"{r:.0f} MiB" for r in node_rss), "< 250 MB"),
        ("GET /api/v1/agencies p50", f"{statistics.median(latencies):.2f} ms", "-"),
        ("GET /api/v1/agencies p99", f"{latencies[int(len(latencies) * 0.99)]:.2f} ms", "-"),
        ("GET /api/v1/agencies, one client", f"{rate:.0f} req/s", "-"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'figure':<{width}}  {'Liaison':>18}  budget (DESIGN.md §5b)")
    for name, ours, budget in rows:
        print(f"{name:<{width}}  {ours:>18}  {budget}")


if __name__ == "__main__":
    main()
