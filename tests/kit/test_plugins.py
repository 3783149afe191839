"""domains.py is the one list: a plug-in's router, job, handler and command appear in the
app, the worker and the CLI because it is listed, and only then."""

from __future__ import annotations

import ast
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from liaison import domains
from liaison.app import create_app
from liaison.cli.main import build_cli
from liaison.config import Settings
from liaison.idempotency import store
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.kit.jobs import JobRunner
from liaison.kit.plugin import Job, JobContext, Plugin, Ref, Registry
from liaison.models import IdempotencyKey
from tests.kit import toy_domain
from tests.support.web import HTML, sign_in

SRC = Path(__file__).resolve().parents[2] / "src" / "liaison"
DOMAIN_PACKAGES = {p.name for p in SRC.iterdir() if (p / "plugin.py").exists()} - {"kit"}


def with_toy() -> Registry:
    return Registry([*domains.DOMAINS, toy_domain.PLUGIN])


def test_every_reference_of_every_shipped_plugin_resolves() -> None:
    registry = domains.registry()
    registry.check()
    assert {p.name for p in registry.plugins} == DOMAIN_PACKAGES
    assert "exchange.message" in registry.message_types()
    assert "exchange.message" in registry.purge_rules
    assert {job.name for job in registry.jobs} >= {"federation delivery", "retention purge"}


def test_a_listed_toy_domain_appears_in_the_app(
    settings: Settings, db_factory: sessionmaker[Session]
) -> None:
    bind = db_factory.kw["bind"]
    engine = getattr(bind, "engine", bind)
    app = create_app(settings, engine=engine, session_factory=db_factory, registry=with_toy())
    with TestClient(app) as client:
        assert client.get("/api/v1/toy/hello").json() == {"toy": "hello"}
    plain = create_app(settings, engine=engine, session_factory=db_factory)
    with TestClient(plain) as client:
        assert client.get("/api/v1/toy/hello").status_code == 404
    assert app.state.registry.handler_for("toy.hello") is toy_domain.receive
    assert plain.state.registry.handler_for("toy.hello") is None


def test_a_listed_toy_domain_adds_its_link_to_the_navigation_for_its_roles(
    settings: Settings, seeded: sessionmaker[Session]
) -> None:
    bind = seeded.kw["bind"]
    engine = getattr(bind, "engine", bind)
    app = create_app(settings, engine=engine, session_factory=seeded, registry=with_toy())
    with TestClient(app) as client:
        sign_in(client, "ca-admin")
        assert '<a href="/toys">Toys</a>' in client.get("/", headers=HTML).text
    with TestClient(app) as client:
        sign_in(client, "ca-officer")
        assert "/toys" not in client.get("/", headers=HTML).text


def test_a_listed_toy_domain_has_its_job_run_by_the_worker(
    settings: Settings, db_factory: sessionmaker[Session]
) -> None:
    toy_domain.runs.clear()
    with httpx.Client() as client:
        context = JobContext(settings, db_factory, with_toy(), client)
        runner = JobRunner(context)
        runner.run_due()
        runner.run_due()  # hourly: not due again yet
    assert toy_domain.runs == ["CA"]
    assert "toy tick" in [job.name for job in runner.jobs]


def test_the_worker_stops_when_asked_and_runs_jobs_until_then(
    settings: Settings, db_factory: sessionmaker[Session]
) -> None:
    toy_domain.runs.clear()
    stop, wake = threading.Event(), threading.Event()
    only_toy = Registry([toy_domain.PLUGIN])
    with httpx.Client() as client:
        runner = JobRunner(JobContext(settings, db_factory, only_toy, client))
        thread = threading.Thread(target=runner.run_until, args=(stop, wake))
        thread.start()
        stop.set()
        wake.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert toy_domain.runs == ["CA"]


def test_a_wake_makes_the_delivery_job_due_at_once_not_after_its_period(
    settings: Settings, db_factory: sessionmaker[Session]
) -> None:
    """The outbox wakes the worker when this process queues an envelope; the jobs marked
    ``on_wake`` (federation delivery) run then, not at their next period (an hour here)."""
    toy_domain.runs.clear()
    carrier = Job("toy carrier", Ref("tests.kit.toy_domain:tick"), lambda _s: 3600.0, on_wake=True)
    registry = Registry([Plugin(name="carrier", jobs=(carrier,))])
    stop, wake = threading.Event(), threading.Event()
    with httpx.Client() as client:
        runner = JobRunner(JobContext(settings, db_factory, registry, client))
        thread = threading.Thread(target=runner.run_until, args=(stop, wake))
        thread.start()
        try:
            _until(lambda: toy_domain.runs == ["CA"])
            wake.set()
            _until(lambda: toy_domain.runs == ["CA", "CA"])
        finally:
            stop.set()
            wake.set()
            thread.join(timeout=10)
    delivery = next(job for job in domains.registry().jobs if job.name == "federation delivery")
    assert delivery.on_wake


ORDER: list[str] = []
QUEUED = threading.Event()


def _long_pass(_context: JobContext) -> int:
    ORDER.append("long pass")
    QUEUED.set()  # an officer queues an envelope while this job runs
    return 0


def _other(_context: JobContext) -> int:
    ORDER.append("other")
    return 0


def _deliver(_context: JobContext) -> int:
    ORDER.append("delivery")
    return 0


def test_a_wake_during_a_pass_runs_delivery_before_the_next_job(
    settings: Settings, db_factory: sessionmaker[Session]
) -> None:
    """A message queued while a long job (resolution, indexing) runs leaves before the
    pass goes on to the next job, not at the end of the pass."""
    here = "tests.kit.test_plugins"
    jobs = (
        Job("long", Ref(f"{here}:_long_pass"), lambda _s: 3600.0),
        Job("other", Ref(f"{here}:_other"), lambda _s: 3600.0),
        Job("delivery", Ref(f"{here}:_deliver"), lambda _s: 3600.0, on_wake=True),
    )
    ORDER.clear()
    QUEUED.clear()
    with httpx.Client() as client:
        runner = JobRunner(JobContext(settings, db_factory, Registry([]), client), jobs)
        runner.run_due(QUEUED)
    assert ORDER == ["long pass", "delivery", "other"]  # delivery once, and first
    assert not QUEUED.is_set()  # the wake was taken


def _until(condition: Callable[[], bool], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "the job did not run"
        time.sleep(0.01)


def test_a_listed_toy_domain_has_its_command_in_the_cli() -> None:
    runner = CliRunner()
    cli = build_cli(with_toy())
    listed = runner.invoke(cli, ["--help"])
    assert "The toy domain." in listed.output
    said = runner.invoke(cli, ["toy", "hello"])
    assert said.exit_code == 0, said.output
    assert "hello from the toy domain" in said.output
    missing = runner.invoke(build_cli(domains.registry()), ["toy", "hello"])
    assert missing.exit_code != 0
    assert "No such command" in missing.output


def test_two_plugins_cannot_claim_one_message_type() -> None:
    twin = Plugin(name="twin", message_handlers={"toy.hello": Ref("tests.kit.toy_domain:receive")})
    with pytest.raises(ValueError, match=r"two message handlers for 'toy\.hello'"):
        Registry([toy_domain.PLUGIN, twin])


def test_a_wrong_reference_fails_the_check_not_the_first_envelope() -> None:
    broken = Plugin(name="broken", message_handlers={"x.y": Ref("tests.kit.toy_domain:nope")})
    with pytest.raises(AttributeError):
        Registry([broken]).check()


# layering ---------------------------------------------------------------------------
def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("liaison.")}


def _package_of(module: str) -> str:
    package = module.split(".")[1]
    return "kit" if package == "config" else package  # settings belong to the bottom layer


def _package_imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC).parts
        package = _package_of(f"liaison.{parts[0].removesuffix('.py')}")
        deps = {_package_of(m) for m in _imports(path)} - {package}
        graph.setdefault(package, set()).update(deps)
    return graph


@pytest.mark.parametrize("lower", ["kit", "models", "ledger"])
def test_lower_layers_import_no_domain(lower: str) -> None:
    allowed = (
        {"kit", "models", "config", "ledger"} if lower == "ledger" else {"kit", "models", "config"}
    )
    assert _package_imports()[lower] <= allowed


def test_plugins_import_only_the_kit() -> None:
    for package in DOMAIN_PACKAGES:
        assert _imports(SRC / package / "plugin.py") == {"liaison.kit.plugin"}, package


def test_no_package_import_cycle() -> None:
    graph = _package_imports()
    visiting: list[str] = []
    done: set[str] = set()

    def visit(package: str) -> None:
        if package in done:
            return
        assert package not in visiting, f"import cycle: {' -> '.join([*visiting, package])}"
        visiting.append(package)
        for dep in sorted(graph.get(package, ())):
            visit(dep)
        visiting.pop()
        done.add(package)

    for package in sorted(graph):
        visit(package)


def test_the_worker_forgets_expired_idempotency_keys(
    settings: Settings, db_factory: sessionmaker[Session]
) -> None:
    with unit_of_work(db_factory) as db:
        for key in ("old-key-1", "new-key-1"):
            store.claim(
                db, principal="user:u", channel="api", key=key,
                request_fingerprint=store.fingerprint(key), method="POST", path="/x",
            )  # fmt: skip
        db.execute(
            IdempotencyKey.__table__.update()
            .where(IdempotencyKey.key == "old-key-1")
            .values(expires_at=clock.now() - timedelta(seconds=1))
        )
    with httpx.Client() as client:
        JobRunner(JobContext(settings, db_factory, domains.registry(), client)).run_due()
    with unit_of_work(db_factory) as db:
        left = list(db.scalars(select(IdempotencyKey.key)))
        assert db.scalar(select(func.count()).select_from(IdempotencyKey)) == 1
    assert left == ["new-key-1"]
