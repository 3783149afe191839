"""``liaison audit ...``: verify, export, checkpoints, and a look at recent entries."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import select

from liaison.audit import checkpoints as checkpointing
from liaison.kit.cli import console, err_console, settings, transaction
from liaison.ledger import export, repository
from liaison.ledger.schemas import AuditQuery
from liaison.ledger.service import HEAD_ID
from liaison.ledger.verify import verify_chain
from liaison.models.audit import AuditChainHead

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
TAMPERED_EXIT = 3


@app.command("verify")
def verify() -> None:
    """Check every entry, link and checkpoint; exit 3 naming the first bad entry."""
    node = settings()
    with transaction(node) as db:
        total = db.scalar(select(AuditChainHead.sequence).where(AuditChainHead.id == HEAD_ID))
        with Progress(
            TextColumn("verifying"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
            disable=not err_console.is_terminal,  # a bar only for a person watching
        ) as bar:
            task = bar.add_task("verify", total=total or None)
            report = verify_chain(db, node.party, lambda n: bar.advance(task, n))
    summary = (
        f"{report.entries} entries, head {report.head_hash[:16]}…, {report.checkpoints} "
        f"checkpoints ({report.countersigned} countersigned)"
    )
    if report.ok:
        console.print(f"[green]audit log OK[/green]: {summary}")
        return
    first = report.problems[0]
    err_console.print(
        f"[red]audit log FAILED at entry {first.sequence}[/red]: {first.message}", highlight=False
    )
    for other in report.problems[1:]:
        err_console.print(f"  also at entry {other.sequence}: {other.message}", highlight=False)
    err_console.print(f"checked {summary}", highlight=False)
    raise typer.Exit(TAMPERED_EXIT)


@app.command("export")
def export_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write; '-' for stdout.")],
    since: Annotated[int, typer.Option(help="Only entries after this sequence.", min=0)] = 0,
) -> None:
    """Write the log as JSON Lines (streamed; each line re-verifiable)."""
    node = settings()
    count = 0
    with transaction(node) as db:
        if str(output) == "-":
            for text in export.lines(db, since):
                sys.stdout.write(text)
                count += 1
            return
        with output.open("w", encoding="utf-8") as handle:
            for text in export.lines(db, since):
                handle.write(text)
                count += 1
    console.print(f"exported {count} entries to {output}")


@app.command("verify-export")
def verify_export(path: Path) -> None:
    """Check a JSON Lines export on its own (no database needed)."""
    with path.open(encoding="utf-8") as handle:
        count, problem = export.verify_lines(handle)
    if problem is None:
        console.print(f"[green]export OK[/green]: {count} entries")
        return
    err_console.print(f"[red]export FAILED at entry {problem.sequence}[/red]: {problem.message}")
    raise typer.Exit(TAMPERED_EXIT)


@app.command("checkpoint")
def checkpoint_now() -> None:
    """Sign a checkpoint of the current head now and send it to every peer."""
    node = settings()
    with transaction(node) as db:
        made = checkpointing.create(db, node)
        message = (
            f"checkpoint {made.sequence} ({made.head_hash[:16]}…) signed and sent to peers"
            if made
            else "nothing new since the last checkpoint"
        )
    console.print(message)


@app.command("checkpoints")
def list_checkpoints() -> None:
    """Checkpoints of this node's chain and its peers', with countersignatures."""
    node = settings()
    table = Table("chain", "sequence", "head hash", "at", "countersigned by")
    with transaction(node) as db:
        for cp in repository.checkpoints(db):
            table.add_row(
                cp.chain_party,
                str(cp.sequence),
                cp.head_hash[:16] + "…",
                cp.at.isoformat(timespec="seconds"),
                ", ".join(cp.countersigned_by) or "(waiting)",
            )
    console.print(table)


@app.command("log")
def log(
    actor: Annotated[str | None, typer.Option()] = None,
    action: Annotated[str | None, typer.Option()] = None,
    object_type: Annotated[str | None, typer.Option("--type")] = None,
    object_id: Annotated[str | None, typer.Option("--id")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """The most recent entries, newest first."""
    node = settings()
    query = AuditQuery(
        actor=actor, action=action, object_type=object_type, object_id=object_id, limit=limit
    )
    table = Table("seq", "at", "actor", "action", "object", "decision")
    with transaction(node) as db:
        rows, _ = repository.page(db, query)
        for row in rows:
            table.add_row(
                str(row.sequence),
                row.at.isoformat(timespec="seconds"),
                row.actor,
                row.action,
                f"{row.object_type} {row.object_id}",
                row.decision or "",
            )
    console.print(table)
