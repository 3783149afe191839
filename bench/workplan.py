"""Workplan dashboard render time with 1,000 actions, and PDF report generation time.

For SQLite and PostgreSQL: a node migrated and seeded, then a version with 1,000
actions (4,000 milestones, 1,000 progress updates) unpacked as the consent flow would,
and 100,000 exchange messages (``--messages``; the exchange figures are computed once,
timed, then reused until a message is added); then p50/p95 of full dashboard page
renders (HTTP GET /workplan, charts included, via the ASGI app) and of the JSON
figures; then the time to produce the joint PDF report of the demo plan (6 actions)
and of the 1,000-action plan.

``--docs-png PATH`` also writes the first page of the demo report (as of 15 May 2026,
with some progress reported) to PATH, as in docs/workplan-report.png.

Run: ``uv run python bench/workplan.py [--renders 60] [--docs-png docs/workplan-report.png]``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pypdfium2
from bench.exchange import populate
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.support.nodes import drop_schemas, pg_schema

from liaison import domains
from liaison.app import create_app
from liaison.config import Settings
from liaison.demo.seed import seed_demo
from liaison.directory import seed_data
from liaison.exchange import stats as exchange_stats
from liaison.federation.keys import ensure_node_key
from liaison.kit import clock
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.kit.ids import new_id
from liaison.kit.migrate import upgrade
from liaison.models import Agency, WorkplanAction, WorkplanProgress
from liaison.users import service as users
from liaison.users.auth import caller_for
from liaison.users.repository import find_login_user
from liaison.users.schemas import TokenCreate
from liaison.workplan import versions
from liaison.workplan.baseline import stable_id, version_one
from liaison.workplan.document import canonical, sha256_of
from liaison.workplan.report import ReportData, build_report, render_report
from liaison.workplan.schemas import Action, Milestone, Status
from liaison.workplan.tracking import materialise

STATUSES = list(Status)


def _joint_report(db: Session) -> ReportData:
    return build_report(db, "CA", internal=False, exchange=exchange_stats.cached)


def add_india_agencies(db: Session) -> None:
    for seed in seed_data.AGENCIES["IN"]:
        db.add(
            Agency(party_code="IN", name=seed.name, acronym=seed.acronym,
                   mandate_areas=list(seed.mandate_areas), origin_node="liaison-in")
        )  # fmt: skip


def big_version(db: Session, actions: int) -> None:
    """Version 2 with ``actions`` actions, stored and unpacked as an accepted version."""
    base = version_one()
    areas = [a.key for a in base.areas]
    start = base.period.start
    made = [
        Action(
            id=stable_id(f"bench:{i}"),
            area=areas[i % len(areas)],
            description=f"Bench action {i}: exchange and follow-up on case set {i}",
            leads={"CA": ("RCMP", "CBSA", "CCCS")[i % 3], "IN": ("NCB", "CBI", "NIA")[i % 3]},
            deliverables=[f"Deliverable {i}"],
            milestones=[
                Milestone(
                    id=stable_id(f"bench:{i}:{m}"),
                    title=f"Step {m}",
                    due=start + timedelta(days=(i * 7 + m * 45) % 400),
                )
                for m in range(4)
            ],
            status=STATUSES[i % len(STATUSES)],
        )
        for i in range(actions)
    ]
    document = base.model_copy(
        update={"number": 2, "actions": sorted(made, key=lambda a: a.id or "")}
    )
    data = canonical(document)
    version = versions.store(db, data, sha256_of(data), 2, state="accepted", proposal_id=None,
                             basis="bench")  # fmt: skip
    materialise(db, version, version_one())
    db.add_all(
        WorkplanProgress(id=new_id(), action_id=a.id, party_code="CA", note=f"progress on {a.id}",
                         evidence=[], shareable=True)
        for a in made
    )  # fmt: skip
    db.flush()


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def prepare(url: str, data_dir: Path) -> tuple[sessionmaker[Session], Settings, str]:
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    settings = Settings(party="CA", node_name="liaison-ca", data_dir=data_dir)
    settings.ensure_secret_key()
    with unit_of_work(factory) as db:
        seed_demo(db, "CA", domains.registry())
        ensure_node_key(db, settings)
        add_india_agencies(db)
    with unit_of_work(factory) as db:
        user = find_login_user(db, "ca-viewer")
        assert user is not None
        _, token = users.issue_token(db, settings.secret_key, caller_for(db, user), "ca-viewer",
                                     TokenCreate(name="bench"))  # fmt: skip
    return factory, settings, token


def _agency_pair(db: Session) -> tuple[str, str]:
    def first(party: str) -> str:
        found = db.scalar(select(Agency.id).where(Agency.party_code == party).limit(1))
        assert found is not None
        return found

    return first("CA"), first("IN")


def run_backend(name: str, url: str, data_dir: Path, renders: int, messages: int) -> None:
    factory, settings, token = prepare(url, data_dir)
    with unit_of_work(factory) as db:
        began = time.perf_counter()
        small_pdf = render_report(_joint_report(db), "pdf")
        small_ms = (time.perf_counter() - began) * 1000
    with unit_of_work(factory) as db:
        big_version(db, 1000)
        agencies = _agency_pair(db)
    populate(factory, messages, agencies)
    with unit_of_work(factory) as db:
        began = time.perf_counter()
        figures = exchange_stats.compute(db)
        stats_ms = (time.perf_counter() - began) * 1000
        assert figures is not None
    bind = factory.kw["bind"]
    app = create_app(settings, engine=bind, session_factory=factory)
    headers = {"Authorization": f"Bearer {token}", "accept": "text/html"}
    with TestClient(app) as client:
        client.get("/workplan", headers=headers)  # warm-up
        page = client.get("/workplan", headers=headers)
        assert page.status_code == 200
        assert page.text.count("<svg") == 2
        p50, p95 = timed(lambda: client.get("/workplan", headers=headers), renders)
        j50, j95 = timed(lambda: client.get("/api/v1/workplan/dashboard", headers=headers), renders)
    with unit_of_work(factory) as db:
        began = time.perf_counter()
        big_pdf = render_report(_joint_report(db), "pdf")
        big_ms = (time.perf_counter() - began) * 1000
    pages = len(pypdfium2.PdfDocument(big_pdf))
    print(f"{name:10} dashboard page, 1,000 actions: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms "
          f"(target p95 < 300 ms; {renders} renders)")  # fmt: skip
    print(f"{name:10} dashboard JSON, 1,000 actions: p50 {j50:6.1f} ms  p95 {j95:6.1f} ms")
    print(f"{name:10} exchange figures over {messages:,} messages, recomputed (first render "
          f"after a new message): {stats_ms:6.0f} ms; the renders above reuse them")  # fmt: skip
    print(f"{name:10} joint PDF report: demo plan (6 actions) {small_ms:7.0f} ms, "
          f"{len(small_pdf) / 1024:.0f} KiB; 1,000 actions {big_ms:7.0f} ms, {pages} pages, "
          f"{len(big_pdf) / 1024:.0f} KiB")  # fmt: skip
    bind.dispose()


def docs_png(target: Path) -> None:
    """The demo report's first page, as of 15 May 2026, with some progress reported."""
    clock.set_clock(lambda: datetime(2026, 5, 15, 9, 0, tzinfo=UTC))
    with tempfile.TemporaryDirectory() as tmp:
        factory, _, _ = prepare(f"sqlite:///{tmp}/png.db", Path(tmp) / "node")
        with unit_of_work(factory) as db:
            for key, party, status, note, on in (
                ("liaison-officers", "CA", Status.IN_PROGRESS, "Both nominations accepted", 16),
                ("fraud", "IN", Status.DONE, "Working-level discussion held in New Delhi", 28),
                ("precursors", "CA", Status.IN_PROGRESS, "CBSA point of contact designated", 30),
                ("cyber", "IN", Status.BLOCKED, "Awaiting terms of reference", 20),
            ):
                action = db.get(WorkplanAction, stable_id(f"action:{key}"))
                assert action is not None
                action.status = status.value
                db.add(WorkplanProgress(
                    id=new_id(), action_id=action.id, party_code=party, note=note,
                    status=status.value, evidence=[], shareable=True,
                    reported_at=datetime(2026, 4, 1, tzinfo=UTC) + timedelta(days=on),
                ))  # fmt: skip
        with unit_of_work(factory) as db:
            pdf = render_report(_joint_report(db), "pdf")
    pypdfium2.PdfDocument(pdf)[0].render(scale=1.6).to_pil().save(target)
    clock.reset_clock()
    print(f"wrote {target} (first page of the joint report as of {date(2026, 5, 15)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=60)
    parser.add_argument("--messages", type=int, default=100_000, help="exchange messages stored")
    parser.add_argument("--docs-png", type=Path)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for backend in args.backends.split(","):
            if backend == "sqlite":
                run_backend(
                    "SQLite", f"sqlite:///{tmp}/bench.db", Path(tmp) / "node", args.renders,
                    args.messages,
                )  # fmt: skip
            else:
                schema, url = pg_schema("wpbench")
                try:
                    run_backend(
                        "PostgreSQL", url, Path(tmp) / "node-pg", args.renders, args.messages
                    )
                finally:
                    drop_schemas(schema)
    if args.docs_png:
        docs_png(args.docs_png)


if __name__ == "__main__":
    main()
