"""The node's own commands: init, migrate, seed, serve, worker."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import typer
import uvicorn
from prometheus_client import start_http_server

from liaison import worker
from liaison.api.http_protocol import BoundedHttpToolsProtocol
from liaison.app import create_app
from liaison.demo.seed import seed_demo
from liaison.kit.cli import console, registry, settings, transaction
from liaison.kit.db import make_engine, make_session_factory
from liaison.kit.metrics import REGISTRY
from liaison.kit.migrate import current_and_head, upgrade
from liaison.node import initialise


def init() -> None:
    """Create the data directory and secret key, migrate, record this node's party."""
    node = settings()
    initialise(node)
    console.print(
        f"[green]Node {node.node_name} ({node.party}) ready[/green] in {node.data_dir} "
        f"using {node.effective_database_url.split('@')[-1]}"
    )


def migrate() -> None:
    """Apply pending database migrations."""
    node = settings()
    engine = make_engine(node.effective_database_url)
    try:
        upgrade(engine)
        current, _ = current_and_head(engine)
    finally:
        engine.dispose()
    console.print(f"database at migration {current}")


def seed(
    context: typer.Context,
    demo: Annotated[bool, typer.Option("--demo", help="Seed the February 2026 demo data.")] = False,
    skip: Annotated[
        list[str] | None,
        typer.Option(
            "--skip",
            help="A domain whose demo data to leave out, e.g. workplan (a node that will "
            "adopt a plan of its own); repeatable.",
        ),
    ] = None,
) -> None:
    """Seed reference data. Idempotent."""
    if not demo:
        raise typer.BadParameter("nothing to seed: pass --demo")
    domains = registry(context)
    known = [plugin.name for plugin in domains.plugins]
    unknown = sorted(set(skip or ()) - set(known))
    if unknown:
        raise typer.BadParameter(
            f"no domain {', '.join(unknown)}: choose from {', '.join(known)}", param_hint="--skip"
        )
    node = settings()
    with transaction(node) as db:
        report = seed_demo(db, node.party, domains.without_seeds(skip or ()))
    added = ", ".join(f"{n} {kind}" for kind, n in report.created.items()) or "nothing new"
    console.print(f"seeded {node.party}: {added}")


def serve(
    context: typer.Context,
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="Do not run the node's jobs in this process.")
    ] = False,
) -> None:
    """Serve the API and web UI (and, unless --no-worker, run the node's jobs)."""
    node = settings()
    _ = node.secret_key  # fail early, with a clear message, if 'init' was not run
    uvicorn.run(
        create_app(
            node,
            start_worker=node.worker_enabled and not no_worker,
            registry=registry(context),
        ),
        host=host or node.host,
        port=port or node.port,
        log_level="info",
        # httptools (C) parses HTTP/1.1 instead of h11 (pure Python): h11 was a quarter of
        # a federation request's CPU. uvloop, where the platform has it, for the same reason.
        # The protocol bounds the request head, as uvicorn's h11 protocol did.
        http=BoundedHttpToolsProtocol,
        loop="auto",
        server_header=False,
        proxy_headers=False,  # X-Forwarded-For only via LIAISON_TRUSTED_PROXIES (api.proxies)
    )


def _stop_on_signal(stop: threading.Event) -> None:
    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)


def run_worker(
    context: typer.Context,
    metrics_port: Annotated[
        int | None,
        typer.Option(
            "--metrics-port",
            min=0,
            max=65535,
            help="Serve this worker's Prometheus metrics on this port (0: none).",
        ),
    ] = None,
) -> None:
    """Run every domain's jobs (delivery, checkpoints, purge, ...) until Ctrl-C."""
    node = settings()
    port = node.worker_metrics_port if metrics_port is None else metrics_port
    if port:
        start_http_server(port, addr=node.host, registry=REGISTRY)
        console.print(f"worker metrics at http://{node.host}:{port}/metrics")
    engine = make_engine(node.effective_database_url)
    stop = threading.Event()
    _stop_on_signal(stop)
    jobs = ", ".join(job.name for job in registry(context).jobs)
    console.print(f"worker for {node.node_name} running ({jobs}); Ctrl-C stops it")
    try:
        worker.run(make_session_factory(engine), node, registry(context), stop)
    finally:
        engine.dispose()
    console.print("worker stopped.")
