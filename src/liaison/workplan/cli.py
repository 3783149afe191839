"""``liaison workplan``: the current plan, its history, the progress report."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from liaison.kit.cli import console, operator, registry, settings, transaction
from liaison.workplan import versions
from liaison.workplan.document import parse
from liaison.workplan.report import build_for, render_report
from liaison.workplan.repository import WorkplanRepository
from liaison.workplan.schemas import PlanDocument
from liaison.workplan.service import WorkplanService

app = typer.Typer(help="The shared workplan: current version, history, progress report.")


class ReportFormat(StrEnum):
    HTML = "html"
    PDF = "pdf"
    MD = "md"


@app.command("show")
def show() -> None:
    """The current version: number, hash, signatures and actions."""
    node = settings()
    with transaction(node) as db:
        repo = WorkplanRepository(db)
        current = versions.current_or_fail(repo)
        document = parse(current.document)
        signed = ", ".join(s.party_code for s in repo.signatures(current.number)) or "none yet"
        console.print(f"version {current.number}  sha256 {current.sha256}  signed by: {signed}")
        table = Table("area", "action", "leads", "status")
        tracked = dict(repo.tracked_statuses())
        for action in document.actions:
            leads = ", ".join(f"{p} {a}" for p, a in sorted(action.leads.items()))
            status = tracked.get(action.id or "", action.status.value)
            table.add_row(action.area, action.description, leads, status)
        console.print(table)


@app.command("adopt")
def adopt(
    plan: Annotated[Path, typer.Argument(help="The plan document (JSON) every party adopts.")],
) -> None:
    """Adopt version 1 of a plan agreed by its parties (two or more); the same file on
    every party's node. The nodes then sign it and exchange their signatures."""
    try:
        document = PlanDocument.model_validate_json(plan.read_bytes())
    except (OSError, ValidationError) as exc:
        raise typer.BadParameter(str(exc), param_hint="PLAN") from exc
    node = settings()
    with transaction(node) as db:
        version = WorkplanService(db, operator(node), node).adopt(document)
        console.print(f"adopted version 1 ({', '.join(document.parties)})  sha256 {version.sha256}")


@app.command("versions")
def history() -> None:
    """Every version, newest first."""
    node = settings()
    with transaction(node) as db:
        table = Table("version", "state", "basis", "sha256")
        for version in WorkplanRepository(db).versions():
            table.add_row(str(version.number), version.state, version.basis, version.sha256)
        console.print(table)


@app.command("report")
def report(
    context: typer.Context,
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    format: Annotated[ReportFormat, typer.Option("--format", help="html, pdf or md.")] = (
        ReportFormat.PDF
    ),
    internal: Annotated[
        bool, typer.Option("--internal", help="Everything this node has, not only shareable items.")
    ] = False,
) -> None:
    """Write the dated joint (or internal) progress report."""
    node = settings()
    with transaction(node) as db:
        data = build_for(db, node.party, registry(context), internal=internal)
        body = render_report(data, format.value)
    output.write_bytes(body)
    kind = "internal" if internal else "joint"
    console.print(f"wrote the {kind} report ({format.value}, {len(body):,} bytes) to {output}")
