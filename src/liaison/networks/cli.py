"""``liaison networks ...``: the full resolution run, and the incremental pass."""

from __future__ import annotations

from typing import Annotated

import typer

from liaison.kit.cli import console, settings, transaction
from liaison.networks.resolve import full_run, resolve_pending

app = typer.Typer(
    help="Crime networks: entity resolution and the link graph.", no_args_is_help=True
)


@app.command("resolve")
def resolve(
    train: Annotated[
        bool, typer.Option(help="Train the person model (Splink, EM) on this node's records")
    ] = True,
) -> None:
    """Resolve every message's entities again (the analysts' decisions are kept)."""
    with transaction(settings()) as db:
        report = full_run(db, train=train)
    console.print(
        f"{report.records} records ({report.persons} persons) resolved into "
        f"{report.clusters} entities in {report.seconds:.1f} s"
        + ("; person model trained" if report.trained else "")
    )


@app.command("pending")
def pending() -> None:
    """Resolve the messages no run has resolved yet, against the existing entities."""
    with transaction(settings()) as db:
        done = resolve_pending(db)
    console.print(f"{done} new records resolved")
