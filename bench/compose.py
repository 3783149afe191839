"""CPU cost of one officer send (compose), end to end inside the sender's process.

Canada's node (seeded, keyed, India pinned) as an app in this process; each iteration
POSTs one new case through the API (auth, pydantic, policy, audit, entities, index,
outbox, commit) with Starlette's TestClient. Printed: process CPU and wall time per
compose, and the floor beside it: the same client asking the API for one agency (a
signed-in GET with one indexed read), so what the compose itself costs is visible.
``--profile N`` prints the N costliest functions (cumulative) of the compose loop.

Run: ``uv run python bench/compose.py [--backend postgresql|sqlite] [--sends 300]``.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from tests.exchange import payloads
from tests.support.nodes import drop_schemas, pg_schema
from tests.support.pair import AppNode, make_node, pin_each_other

from liaison.exchange.schemas import ComposeIn
from liaison.exchange.service import ExchangeService
from liaison.kit.db import make_engine, unit_of_work
from liaison.kit.migrate import upgrade
from liaison.users import auth


def _url(backend: str, root: Path, party: str, schemas: list[str]) -> str:
    if backend == "sqlite":
        url = f"sqlite:///{root / f'{party}.db'}"
    else:
        schema, url = pg_schema(f"compose_{party.lower()}")
        schemas.append(schema)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def _timed(count: int, call: Callable[[int], None]) -> tuple[float, float]:
    """(CPU µs, wall µs) per call of this process."""
    cpu, wall = time.process_time(), time.perf_counter()
    for n in range(count):
        call(n)
    return (time.process_time() - cpu) / count * 1e6, (time.perf_counter() - wall) / count * 1e6


def _statements(engine: Engine, count: int, call: Callable[[int], None]) -> float:
    """SQL statements sent per call (BEGIN/COMMIT and the pool's ping not counted)."""
    sent = [0]

    def counted(*_: object) -> None:
        sent[0] += 1

    event.listen(engine, "before_cursor_execute", counted)
    try:
        for n in range(count):
            call(n)
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    return sent[0] / count


def run(backend: str, sends: int, profile: int) -> None:
    root = Path(tempfile.mkdtemp(prefix="bench-compose-"))
    schemas: list[str] = []
    canada: AppNode = make_node("CA", _url(backend, root, "CA", schemas), root)
    india: AppNode = make_node("IN", _url(backend, root, "IN", schemas), root)
    try:
        pin_each_other(canada, india)
        client: TestClient = canada.client
        headers = canada.headers("ca-officer")
        rows = client.get(
            "/api/v1/agencies", params={"limit": 100}, headers=headers
        ).json()  # both parties' agencies, after the directory exchange
        agencies = {f"{row['party_code']}:{row['acronym']}": row["id"] for row in rows}

        def compose(n: int) -> None:
            body = payloads.compose(agencies, subject=f"bench message {n}")
            response = client.post("/api/v1/exchange/cases", json=body, headers=headers)
            assert response.status_code == 201, response.text

        def floor(_: int) -> None:
            response = client.get(f"/api/v1/agencies/{agencies['CA:RCMP']}", headers=headers)
            assert response.status_code == 200, response.text

        for n in range(20):  # warm up: caches, prepared statements, JIT-less imports
            compose(n)
            floor(n)
        base_cpu, base_wall = _timed(sends, floor)
        cpu, wall = _timed(sends, compose)
        statements = _statements(canada.engine, 20, compose)
        base_statements = _statements(canada.engine, 20, floor)
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"[{backend}] {sends} composes through the API (load average {load})")
        print(
            f"  compose (new case, policy, audit, outbox): {cpu:7.0f} µs CPU, {wall:7.0f} µs wall, "
            f"{statements:.0f} SQL statements"
        )
        print(
            f"  floor: a signed-in GET of one agency     : {base_cpu:7.0f} µs CPU, "
            f"{base_wall:7.0f} µs wall, {base_statements:.0f} SQL statements"
        )
        if profile:  # the server runs in other threads: profile the service in this one
            token = headers["Authorization"].split()[1]

            def service(n: int) -> None:
                data = ComposeIn.model_validate(payloads.compose(agencies, subject=f"p {n}"))
                with unit_of_work(canada.factory) as db:
                    caller = auth.caller_from_token(db, canada.settings, token)
                    assert caller is not None
                    ExchangeService(db, caller, canada.settings).compose(data)

            profiler = cProfile.Profile()
            profiler.enable()
            service_cpu, _ = _timed(sends, service)
            profiler.disable()
            print(f"  service only (token, compose, commit)    : {service_cpu:7.0f} µs CPU")
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(profile)
            stats.sort_stats("tottime").print_stats(profile)
    finally:
        canada.close()
        india.close()
        drop_schemas(*schemas)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--sends", type=int, default=300)
    parser.add_argument("--profile", type=int, default=0, metavar="N")
    args = parser.parse_args()
    run(args.backend, args.sends, args.profile)


if __name__ == "__main__":
    main()
