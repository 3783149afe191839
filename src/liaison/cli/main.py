"""The ``liaison`` command. Errors print one clear line and exit non-zero."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from liaison.app import create_app
from liaison.audit.cli import app as audit_app
from liaison.cli.context import console, err_console, settings, transaction
from liaison.cyber.cli import app as cyber_app
from liaison.demo.cli import demo_command
from liaison.demo.seed import seed_demo
from liaison.directory.cli import app as directory_app
from liaison.exchange.cli import app as exchange_app
from liaison.federation.cli import keys_app, peer_app, worker_command
from liaison.kit.db import make_engine
from liaison.kit.errors import LiaisonError
from liaison.kit.migrate import current_and_head, upgrade
from liaison.node import initialise
from liaison.policy.cli import app as policy_app
from liaison.retention.cli import app as retention_app
from liaison.users.cli import app as user_app
from liaison.workplan.cli import app as workplan_app

app = typer.Typer(
    help="Liaison: a node for bilateral security and law-enforcement cooperation.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(user_app, name="user")
app.add_typer(directory_app, name="directory")
app.add_typer(keys_app, name="keys")
app.add_typer(peer_app, name="peer")
app.add_typer(audit_app, name="audit")
app.add_typer(policy_app, name="policy")
app.add_typer(retention_app, name="retention")
app.add_typer(exchange_app, name="exchange")
app.add_typer(workplan_app, name="workplan")
app.add_typer(cyber_app, name="cyber")
app.command("demo")(demo_command)
app.command("worker")(worker_command)


@app.callback()
def root(
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Node data directory (also LIAISON_DATA_DIR).", envvar=None),
    ] = None,
) -> None:
    """Settings come from LIAISON_* variables and <data-dir>/liaison.toml."""
    if data_dir is not None:
        os.environ["LIAISON_DATA_DIR"] = str(data_dir)


@app.command()
def init() -> None:
    """Create the data directory and secret key, migrate, record this node's party."""
    node = settings()
    initialise(node)
    console.print(
        f"[green]Node {node.node_name} ({node.party}) ready[/green] in {node.data_dir} "
        f"using {node.effective_database_url.split('@')[-1]}"
    )


@app.command()
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


@app.command()
def seed(
    demo: Annotated[bool, typer.Option("--demo", help="Seed the February 2026 demo data.")] = False,
) -> None:
    """Seed reference data. Idempotent."""
    if not demo:
        raise typer.BadParameter("nothing to seed: pass --demo")
    node = settings()
    with transaction(node) as db:
        report = seed_demo(db, node.party)
    added = ", ".join(f"{n} {kind}" for kind, n in report.created.items()) or "nothing new"
    console.print(f"seeded {node.party}: {added}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="Do not deliver envelopes in this process.")
    ] = False,
) -> None:
    """Serve the API and web UI."""
    node = settings()
    _ = node.secret_key  # fail early, with a clear message, if 'init' was not run
    uvicorn.run(
        create_app(node, start_worker=node.worker_enabled and not no_worker),
        host=host or node.host,
        port=port or node.port,
        log_level="info",
        server_header=False,
        proxy_headers=False,  # X-Forwarded-For only via LIAISON_TRUSTED_PROXIES (api.proxies)
    )


def run() -> None:
    """Console entry point: domain and input errors become one line on stderr."""
    try:
        app()
    except LiaisonError as exc:
        err_console.print(f"[red]error:[/red] {exc.detail}", highlight=False)
        sys.exit(1)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'input'}: {e['msg']}" for e in exc.errors()
        )
        err_console.print(f"[red]invalid input:[/red] {problems}", highlight=False)
        sys.exit(1)
    except SQLAlchemyError as exc:
        err_console.print(
            f"[red]database error:[/red] {type(exc).__name__}: {str(exc).splitlines()[0]} "
            "(is the database reachable and migrated? try 'liaison init')",
            highlight=False,
        )
        sys.exit(1)
