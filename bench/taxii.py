"""TAXII 2.1 ingest and paging: Liaison (SQLite, PostgreSQL) against medallion and OpenTAXII.

Same work for every server, in the same run: POST 10,000 STIX indicators in envelopes
of 500, then page through the collection with ``limit=1000`` following ``next``.
Liaison validates every object on write (its fast path; see cyber/validate.py).
The peers run in throw-away environments so their pins never touch ours:
``uv run --isolated --with medallion`` (memory backend, Flask's server) and
``uv run --isolated --with opentaxii==0.10.0b1 --with gunicorn`` (SQLite, 2 workers).

Run: ``uv run python bench/taxii.py [--objects 10000] [--skip-opentaxii]
[--paging-passes 3]``: each server's collection is paged 3 times, the median reported.
The server's RSS is read after every page of Liaison's paging (VmRSS of the server
process); ``--objects 100000 --only liaison`` or ``--memory-objects 100000`` is the
memory-flat run over 100,000 objects.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.nodes import LiveNode as Node
from tests.support.nodes import drop_schemas, free_port, pg_schema

TAXII = "application/taxii+json;version=2.1"
HEADERS = {"Accept": TAXII, "Content-Type": TAXII}
ENVELOPE = 500
PAGE = 1000
STAMP = "2026-02-07T10:00:00.000Z"
UV = shutil.which("uv") or "uv"


def indicators(count: int) -> list[dict[str, Any]]:
    return [
        {
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--{uuid.uuid4()}",
            "created": STAMP,
            "modified": STAMP,
            "name": f"Bench indicator {n}",
            "indicator_types": ["malicious-activity"],
            "pattern": f"[ipv4-addr:value = '10.{n // 65536}.{n // 256 % 256}.{n % 256}']",
            "pattern_type": "stix",
            "valid_from": STAMP,
            "object_marking_refs": [
                "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"  # TLP:GREEN
            ],
        }
        for n in range(count)
    ]


@dataclass
class Result:
    server: str
    ingest: float  # objects/s
    paging: float  # objects/s
    paged: int
    partial: bool = False  # paging stopped at the time cap
    rss: list[float] = field(default_factory=list)  # server RSS (MiB) after each page

    def line(self) -> str:
        note = " (paging stopped at the time cap / client timeout)" if self.partial else ""
        return f"{self.server:<44}{self.ingest:>14,.0f}{self.paging:>14,.1f}{self.paged:>8}{note}"

    def rss_line(self) -> str:
        """The server's RSS sampled after every page: flat means max within 10% of min."""
        if not self.rss:
            return ""
        low, high = min(self.rss), max(self.rss)
        spread = (high - low) / low * 100 if low else 0.0
        verdict = "flat" if spread <= 10 else "NOT flat"
        return (
            f"  {self.server} server RSS over {len(self.rss)} pages of {PAGE} "
            f"({self.paged} objects): first {self.rss[0]:.1f} MiB, min {low:.1f}, "
            f"max {high:.1f}, last {self.rss[-1]:.1f} (max-min {spread:.1f}% of min: {verdict})"
        )


PAGING_CAP = [300.0]  # seconds; set from --max-paging-seconds
PASSES = [3]  # paging passes over the collection per server; set from --paging-passes


def measure(
    name: str,
    objects_url: str,
    client: httpx.Client,
    work: list[dict[str, Any]],
    pid: int | None = None,
) -> Result:
    """Ingest then page the collection ``PASSES`` times (the median pass's rate: one
    pass of 10 pages lasts well under a second, and one stall of a loaded machine
    would decide it); with ``pid``, the server's RSS is read after every page."""
    bodies = [
        json.dumps({"objects": work[i : i + ENVELOPE]}).encode()
        for i in range(0, len(work), ENVELOPE)
    ]
    began = time.perf_counter()
    for body in bodies:
        response = client.post(objects_url, content=body, headers=HEADERS)
        assert response.status_code in (200, 202), (
            f"{name}: {response.status_code} {response.text[:300]}"
        )
        status = response.json()
        assert status.get("failure_count", 0) == 0, f"{name}: {str(status)[:300]}"
    ingest = len(work) / (time.perf_counter() - began)
    rss: list[float] = []
    passes = [page_once(objects_url, client, rss, pid) for _ in range(PASSES[0])]
    partial = any(p[2] for p in passes)
    if partial:  # stopped at the cap: that pass alone (the others would stop there too)
        passes = [p for p in passes if p[2]][:1]
    rate = statistics.median(p[0] for p in passes)
    return Result(name, ingest, rate, passes[0][1], partial=partial, rss=rss)


def page_once(
    objects_url: str, client: httpx.Client, rss: list[float], pid: int | None
) -> tuple[float, int, bool]:
    """One pass over the collection: (objects/s, objects paged, stopped at the cap)."""
    paged = 0
    params: dict[str, str] = {"limit": str(PAGE)}
    began = time.perf_counter()
    while True:
        try:
            response = client.get(objects_url, params=params, headers={"Accept": TAXII})
        except httpx.TimeoutException:
            break  # a page that does not come back within the client timeout
        assert response.status_code == 200, f"{response.status_code} {response.text[:300]}"
        if pid is not None:
            sampled = time.perf_counter()
            rss.append(rss_mib(pid))
            began += time.perf_counter() - sampled  # sampling is not the server's time
        page = response.json()
        paged += len(page.get("objects", []))
        if not page.get("more"):
            return paged / (time.perf_counter() - began), paged, False
        if time.perf_counter() - began > PAGING_CAP[0]:
            break
        params = {"limit": str(PAGE), "next": str(page["next"])}
    return paged / (time.perf_counter() - began), paged, True


def page_seconds(client: httpx.Client, objects_url: str, limit: int = 100) -> float:
    """Seconds to page a whole collection with this client's authentication (small
    pages, as TAXII clients page: the authentication cost is per request)."""
    params: dict[str, str] = {"limit": str(limit)}
    began = time.perf_counter()
    while True:
        page = client.get(objects_url, params=params, headers={"Accept": TAXII}).json()
        if not page.get("more"):
            return time.perf_counter() - began
        params = {"limit": str(limit), "next": str(page["next"])}


ROUNDS = 5


def auth_rounds(base_url: str, token: str, objects_url: str) -> tuple[float, float]:
    """Median seconds to page the collection with a Bearer token and with HTTP Basic,
    in alternating rounds (each with a fresh client, as a TAXII client run is), so that
    neither warms the caches for the other and load on the machine hits both alike."""
    bearer: list[float] = []
    basic: list[float] = []
    for _ in range(ROUNDS):
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=120) as client:
            bearer.append(page_seconds(client, objects_url))
        basic_auth = ("ca-analyst", "liaison-demo-ca-analyst")
        with httpx.Client(base_url=base_url, auth=basic_auth, timeout=120) as client:
            basic.append(page_seconds(client, objects_url))
    return statistics.median(bearer), statistics.median(basic)


def auth_request_ms(
    base_url: str, token: str, objects_url: str, n: int = 200
) -> tuple[float, float]:
    """Median milliseconds of one ``limit=1`` page, Bearer and Basic alternating: the
    cost of authentication itself, without the serialisation of a full page."""
    url = f"{objects_url}?limit=1"
    accept = {"Accept": TAXII}
    basic_auth = ("ca-analyst", "liaison-demo-ca-analyst")
    timings: dict[str, list[float]] = {"bearer": [], "basic": []}
    with (
        httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}) as bearer,
        httpx.Client(base_url=base_url, auth=basic_auth) as basic,
    ):
        for _ in range(n):
            for name, client in (("bearer", bearer), ("basic", basic)):
                began = time.perf_counter()
                assert client.get(url, headers=accept).status_code == 200
                timings[name].append((time.perf_counter() - began) * 1000)
    return statistics.median(timings["bearer"]), statistics.median(timings["basic"])


def wait_http(
    url: str, process: subprocess.Popen[bytes], auth: Any = None, seconds: float = 240
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}) before answering {url}")
        try:
            httpx.get(url, auth=auth, headers={"Accept": TAXII}, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.25)
    raise RuntimeError(f"no answer from {url}")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# Liaison ------------------------------------------------------------------------------
AUTH_ROUNDS_UP_TO = 20_000  # objects; beyond, the 100-per-page auth rounds take too long


def liaison(backend: str, work: list[dict[str, Any]], root: Path) -> Result:
    schema, url = pg_schema("bench") if backend == "postgresql" else ("", "")
    node = Node(party="CA", data_dir=root / f"liaison-{backend}", database_url=url)
    node.data_dir.mkdir()
    try:
        node.prepare()
        node.start(with_worker=False)
        assert node.server is not None
        token = node.token("ca-analyst")
        with httpx.Client(
            base_url=node.url, headers={"Authorization": f"Bearer {token}"}, timeout=120
        ) as client:
            collections = client.get("/taxii2/cti/collections/", headers={"Accept": TAXII}).json()
            cid = next(
                c["id"] for c in collections["collections"] if c["title"] == "CCCS indicators"
            )
            objects_url = f"/taxii2/cti/collections/{cid}/objects/"
            name = f"Liaison ({backend})"
            result = measure(name, objects_url, client, work, pid=node.server.pid)
        if len(work) > AUTH_ROUNDS_UP_TO:
            return result
        bearer, basic = auth_rounds(node.url, token, objects_url)
        print(
            f"  Liaison ({backend}) paging {len(work)} objects at 100/page, median of "
            f"{ROUNDS} alternating rounds: Bearer {bearer:.2f} s, Basic {basic:.2f} s "
            f"({basic / bearer:.2f}x; target <= 1.5x)",
            flush=True,
        )
        one_bearer, one_basic = auth_request_ms(node.url, token, objects_url)
        print(
            f"  Liaison ({backend}) one limit=1 page, median of 200 alternating: "
            f"Bearer {one_bearer:.1f} ms, Basic {one_basic:.1f} ms "
            f"({one_basic / one_bearer:.2f}x)",
            flush=True,
        )
    finally:
        node.stop()
        if schema:
            drop_schemas(schema)
    return result


def rss_mib(pid: int) -> float:
    """The resident set of a process, in MiB, as ``ps`` and psutil read it (/proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# medallion ----------------------------------------------------------------------------
def medallion(work: list[dict[str, Any]], root: Path) -> Result:
    port = free_port()
    collection = str(uuid.uuid4())
    data = {
        "/discovery": {
            "title": "bench",
            "default": f"http://127.0.0.1:{port}/api1/",
            "api_roots": [f"http://127.0.0.1:{port}/api1/"],
        },
        "api1": {
            "information": {
                "title": "bench",
                "versions": [TAXII],
                "max_content_length": 100 * 1024 * 1024,
            },
            "status": [],
            "collections": [
                {
                    "id": collection,
                    "title": "bench",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": [],
                    "manifest": [],
                    "responses": [],
                }
            ],
        },
    }
    (root / "medallion-data.json").write_text(json.dumps(data))
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(root / "medallion-data.json"),
        },
        "users": {"bench": "bench-password"},
        "taxii": {"max_page_size": PAGE},
    }
    (root / "medallion.json").write_text(json.dumps(config))
    log = (root / "medallion.log").open("wb")
    process = subprocess.Popen(
        [
            UV,
            "run",
            "--isolated",
            "--with",
            "medallion",
            "medallion",
            "--port",
            str(port),
            str(root / "medallion.json"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=root,
    )
    auth = ("bench", "bench-password")
    try:
        wait_http(f"http://127.0.0.1:{port}/taxii2/", process, auth)
        # a page that does not come back within the paging cap counts as not served
        timeout = max(60.0, PAGING_CAP[0])
        with httpx.Client(
            base_url=f"http://127.0.0.1:{port}", auth=auth, timeout=timeout
        ) as client:
            return measure(
                "medallion 3 (memory)", f"/api1/collections/{collection}/objects/", client, work
            )
    finally:
        stop(process)


# OpenTAXII ----------------------------------------------------------------------------
OPENTAXII = ["--with", "opentaxii==0.10.0b1", "--with", "gunicorn"]


def opentaxii(work: list[dict[str, Any]], root: Path) -> Result:
    port = free_port()
    home = root / "opentaxii"
    home.mkdir()
    config = f"""
domain: "127.0.0.1:{port}"
support_basic_auth: yes
auth_api:
  class: opentaxii.auth.sqldb.SQLDatabaseAPI
  parameters:
    db_connection: sqlite:///{home}/auth.db
    create_tables: yes
    secret: bench-secret-{uuid.uuid4().hex}
    token_ttl_secs: 3600
taxii1:
  persistence_api:
    class: opentaxii.persistence.sqldb.SQLDatabaseAPI
    parameters:
      db_connection: sqlite:///{home}/data1.db
      create_tables: yes
taxii2:
  persistence_api:
    class: opentaxii.persistence.sqldb.Taxii2SQLDatabaseAPI
    parameters:
      db_connection: sqlite:///{home}/data.db
      create_tables: yes
  title: "bench"
  public_discovery: true
  max_content_length: 209715200
logging:
  opentaxii: warning
  root: warning
"""
    (home / "config.yml").write_text(config)
    env = {**os.environ, "OPENTAXII_CONFIG": str(home / "config.yml")}
    env.pop("VIRTUAL_ENV", None)
    root_id = str(uuid.uuid4())

    def tool(*args: str) -> None:
        subprocess.run(
            [UV, "run", "--isolated", *OPENTAXII, *args],
            env=env,
            cwd=home,
            check=True,
            capture_output=True,
        )

    tool("opentaxii-create-account", "-u", "bench", "-p", "bench-password", "-a")
    tool("opentaxii-add-api-root", "-t", "bench", "--default", "--public", "-i", root_id)
    tool("opentaxii-add-collection", "-r", root_id, "-t", "bench", "--public", "--public-write")
    log = (home / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [
            UV,
            "run",
            "--isolated",
            *OPENTAXII,
            "gunicorn",
            "opentaxii.http:app",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        env=env,
        cwd=home,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    auth = ("bench", "bench-password")
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/taxii2/", process, auth)
        with httpx.Client(base_url=base, auth=auth, timeout=600) as client:
            listed = client.get(f"/taxii2/{root_id}/collections/", headers={"Accept": TAXII}).json()
            cid = listed["collections"][0]["id"]
            return measure(
                "OpenTAXII 0.10.0b1 (SQLite, gunicorn x2)",
                f"/taxii2/{root_id}/collections/{cid}/objects/",
                client,
                work,
            )
    finally:
        stop(process)


# report -------------------------------------------------------------------------------
@contextmanager
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="bench-taxii-") as name:
        yield Path(name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--skip-opentaxii", action="store_true")
    parser.add_argument("--skip-medallion", action="store_true")
    parser.add_argument("--skip-postgresql", action="store_true")
    parser.add_argument("--skip-peers", action="store_true", help="Liaison only")
    parser.add_argument("--only", choices=["liaison", "medallion", "opentaxii"], default=None)
    parser.add_argument(
        "--max-paging-seconds",
        type=float,
        default=300,
        help="stop a server's paging phase after this long and report the rate so far",
    )
    parser.add_argument(
        "--memory-objects",
        type=int,
        default=0,
        help="first, Liaison only: ingest and page a collection this big on each backend "
        "(e.g. 100000), sampling the server's RSS after every page",
    )
    parser.add_argument(
        "--paging-passes",
        type=int,
        default=3,
        help="page each server's collection this many times; the median pass is reported",
    )
    args = parser.parse_args()
    PASSES[0] = max(1, args.paging_passes)
    if args.memory_objects:
        backends = ["sqlite"] if args.skip_postgresql else ["sqlite", "postgresql"]
        big = indicators(args.memory_objects)
        for backend in backends:
            print(f"memory run: Liaison ({backend}), {args.memory_objects} objects ...", flush=True)
            with scratch() as root:
                found = liaison(backend, big, root)
            print("  " + found.line() + "\n" + found.rss_line(), flush=True)
    PAGING_CAP[0] = args.max_paging_seconds
    work = indicators(args.objects)
    runs: list[tuple[str, Callable[[Path], Result]]] = []
    if args.only in (None, "liaison"):
        runs.append(("Liaison SQLite", lambda root: liaison("sqlite", work, root)))
        if not args.skip_postgresql:
            runs.append(("Liaison PostgreSQL", lambda root: liaison("postgresql", work, root)))
    wants_medallion = args.only == "medallion" or (args.only is None and not args.skip_peers)
    if wants_medallion and not args.skip_medallion:
        runs.append(("medallion", lambda root: medallion(work, root)))
    wants_opentaxii = args.only == "opentaxii" or (args.only is None and not args.skip_peers)
    if wants_opentaxii and not args.skip_opentaxii:
        runs.append(("OpenTAXII", lambda root: opentaxii(work, root)))
    results: list[Result] = []
    for label, run in runs:
        print(f"running {label} ...", flush=True)
        with scratch() as root:
            try:
                results.append(run(root))
                print("  " + results[-1].line(), flush=True)
                if results[-1].rss:
                    print(results[-1].rss_line(), flush=True)
            except (
                RuntimeError,
                AssertionError,
                subprocess.CalledProcessError,
                httpx.HTTPError,
            ) as exc:
                print(f"  {label} could not be measured: {exc}", flush=True)
    print(
        f"\n{args.objects} STIX indicators, POST in envelopes of {ENVELOPE}, "
        f"paging with limit={PAGE}, median of {PASSES[0]} passes"
    )
    print(f"{'server':<44}{'ingest obj/s':>14}{'paging obj/s':>14}{'paged':>8}")
    for r in results:
        print(r.line())
    peers = [r for r in results if not r.server.startswith("Liaison")]
    if peers:
        best_ingest = max(peers, key=lambda r: r.ingest)
        best_paging = max(peers, key=lambda r: r.paging)
        for r in results:
            if r.server.startswith("Liaison"):
                paging = (
                    f"{r.paging / best_paging.paging:.2f}x {best_paging.server}"
                    if best_paging.paging
                    else "n/a (no peer paged within the cap)"
                )
                print(
                    f"{r.server}: ingest {r.ingest / best_ingest.ingest:.2f}x "
                    f"{best_ingest.server}, paging {paging}"
                )
    for r in results:
        if r.rss:
            print(r.rss_line())
    print(
        "targets (issue 18): Liaison ingest >= 2x medallion on both backends; "
        "paging >= 10x the best peer; server RSS flat (+-10%) over a 100,000-object run"
    )
    print(f"load average while running: {os.getloadavg()}")


if __name__ == "__main__":
    main()
