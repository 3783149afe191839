"""Server CPU per TAXII page: a live Liaison node (SQLite or PostgreSQL), a collection of
``--objects`` indicators, then pages of ``limit=1000`` (the whole collection, over and
over) and of ``limit=1`` requested one after another. The figure is the server process's
CPU time (user + system, from /proc) per request, which a loaded machine distorts far
less than wall time; the client's own CPU is not in it. With ``--py-spy SECONDS``, a
py-spy flame graph of the server while it answers pages of ``--spy-limit``.

Run: ``uv run python bench/taxii_cpu.py [--objects 10000] [--backend sqlite|postgresql]
[--requests 300] [--py-spy 20]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.taxii import ENVELOPE, TAXII, indicators
from tests.support.nodes import LiveNode, drop_schemas, pg_schema

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def page_all(client: httpx.Client, url: str, limit: int, requests: int) -> int:
    """``requests`` pages of ``limit``, following ``next`` and starting over at the end."""
    params: dict[str, str] = {"limit": str(limit)}
    for _ in range(requests):
        response = client.get(url, params=params, headers={"Accept": TAXII})
        assert response.status_code == 200, response.text[:300]
        page = response.json()
        more = page.get("more")
        params = {"limit": str(limit), "next": page["next"]} if more else {"limit": str(limit)}
    return requests


def measure(pid: int, client: httpx.Client, url: str, limit: int, requests: int) -> float:
    page_all(client, url, limit, 20)  # warm up
    before = cpu_seconds(pid)
    page_all(client, url, limit, requests)
    return (cpu_seconds(pid) - before) / requests * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--py-spy", type=float, default=0, metavar="SECONDS")
    parser.add_argument("--spy-limit", type=int, default=1000, help="page size while py-spy runs")
    parser.add_argument("--basic", action="store_true", help="HTTP Basic, not a Bearer token")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-taxii-cpu-"))
    schema, url = pg_schema("benchcpu") if args.backend == "postgresql" else ("", "")
    node = LiveNode(party="CA", data_dir=root / "node", database_url=url)
    try:
        node.prepare()
        node.start(with_worker=False)
        assert node.server is not None
        pid = node.server.pid
        token = node.token("ca-analyst")
        auth: dict[str, object] = (
            {"auth": ("ca-analyst", "liaison-demo-ca-analyst")}
            if args.basic
            else {"headers": {"Authorization": f"Bearer {token}"}}
        )
        with httpx.Client(base_url=node.url, timeout=120, **auth) as client:  # type: ignore[arg-type]
            listed = client.get("/taxii2/cti/collections/", headers={"Accept": TAXII}).json()
            cid = next(c["id"] for c in listed["collections"] if c["title"] == "CCCS indicators")
            objects_url = f"/taxii2/cti/collections/{cid}/objects/"
            work = indicators(args.objects)
            for i in range(0, len(work), ENVELOPE):
                body = {"objects": work[i : i + ENVELOPE]}
                headers = {"Accept": TAXII, "Content-Type": TAXII}
                assert client.post(objects_url, json=body, headers=headers).status_code == 202
            big = measure(pid, client, objects_url, 1000, args.requests // 10 or 1)
            one = measure(pid, client, objects_url, 1, args.requests)
            print(
                f"Liaison ({args.backend}, {'Basic' if args.basic else 'Bearer'}) server CPU "
                f"per request: limit=1000 {big:.2f} ms, limit=1 {one:.2f} ms; "
                f"load average {os.getloadavg()}",
                flush=True,
            )
            if args.py_spy:
                out = root / f"taxii-{args.backend}.svg"
                record = f"record --pid {pid} --duration {int(args.py_spy)} --rate 250"
                output = f"--format raw --output {out.with_suffix('.txt')} --nonblocking"
                uv = [shutil.which("uv") or "uv", "run", "--with", "py-spy", "py-spy"]
                spy = subprocess.Popen([*uv, *record.split(), *output.split()])
                time.sleep(2)
                deadline = time.monotonic() + args.py_spy
                while time.monotonic() < deadline:
                    page_all(client, objects_url, args.spy_limit, 10)
                spy.wait()
                print(f"py-spy raw stacks: {out.with_suffix('.txt')}")
    finally:
        node.stop()
        if schema:
            drop_schemas(schema)


if __name__ == "__main__":
    main()
