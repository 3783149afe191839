"""``liaison precursors``: the substance register, importing a customs extract, deadlines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress
from rich.table import Table

from liaison.directory.parties import party_codes
from liaison.kit.cli import console, err_console, operator, settings, transaction
from liaison.kit.errors import LiaisonError
from liaison.precursors import register
from liaison.precursors.deadlines import flag_overdue
from liaison.precursors.imports import NoticeImport, rows_of
from liaison.precursors.schemas import Markings

app = typer.Typer(help="Precursor register, pre-export notifications, customs imports.")


@app.command("substances")
def substances(search: Annotated[str, typer.Argument()] = "") -> None:
    """The substance register (optionally searched by name, CAS, HS code or family)."""
    with transaction(settings()) as db:
        codes = party_codes(db)  # one control-status column per party in the directory
        table = Table("CAS", "name", "category", "HS", "family", *codes)
        for s in register.search(db, search):
            control = {p: str(v.get("status", "")) for p, v in s.control.items()}
            table.add_row(
                s.cas, s.name, s.category, s.hs_code, s.family,
                *(control.get(code, "") for code in codes),
            )  # fmt: skip
        console.print(table)


@app.command("import")
def import_extract(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    respond_within_days: Annotated[int, typer.Option(min=1, max=60)] = 15,
) -> None:
    """Import a customs extract (CSV or .xlsx) as notifications: all rows or none."""
    node = settings()
    try:
        with (
            transaction(node) as db,
            path.open("rb") as stream,
            Progress(console=err_console) as bar,
        ):
            task = bar.add_task("rows validated", total=None)
            report = NoticeImport(db, operator(node), node).run(
                rows_of(stream, path.name),
                Markings(),
                respond_within_days,
                progress=lambda done: bar.update(task, completed=done),
            )
    except LiaisonError as exc:
        err_console.print(f"error: {exc}")
        raise typer.Exit(1) from None
    if report.imported:
        console.print(f"imported {report.imported} notifications (batch {report.batch_id})")
        if report.held_for_review:
            console.print(f"{report.held_for_review} of them are held for legal review")
        return
    console.print(f"nothing imported: {report.error_count} problem(s) in {report.rows} rows")
    for error in report.errors:
        console.print(f"line {error.row}: {error.field}: {error.message}")
    raise typer.Exit(1)


@app.command("deadlines")
def deadlines() -> None:
    """Flag notifications past their answer deadline now (the worker does it periodically)."""
    node = settings()
    with transaction(node) as db:
        console.print(f"flagged {flag_overdue(db, node)} overdue notification(s)")
