"""``liaison hitcheck``: single and bulk checks against the peer; the index for operators."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import httpx
import typer
from pydantic import ValidationError
from rich.table import Table

from liaison.exchange.schemas import LegalBasis
from liaison.hitcheck import bulk, index
from liaison.hitcheck.identifiers import Category
from liaison.hitcheck.schemas import CheckIn, CheckOut
from liaison.hitcheck.service import HitcheckService
from liaison.kit.cli import console, operator, settings, transaction

app = typer.Typer(help="Privacy-preserving hit/no-hit checks against the peer's holdings.")
index_app = typer.Typer(help="This node's blinded index (what peers' checks can hit).")
app.add_typer(index_app, name="index")

Purpose = Annotated[str, typer.Option("--purpose", help="Why you check (recorded on both sides).")]
Basis = Annotated[LegalBasis, typer.Option("--basis", help="Legal basis of the check.")]
Peer = Annotated[str | None, typer.Option("--peer", help="Party to ask (default: the peer).")]


def _show(out: CheckOut) -> None:
    table = Table("row", "category", "value", "result", "note")
    for row in out.rows:
        table.add_row(str(row.row), str(row.category), row.value, row.result.value, row.error or "")
    console.print(table)
    console.print(f"{out.hits} hit(s) of {out.asked} checked with {out.peer}")


@app.command("check")
def check(
    category: Annotated[Category, typer.Argument(help="What kind of identifier.")],
    value: Annotated[str, typer.Argument(help="The identifier (a name for 'person').")],
    purpose: Purpose,
    basis: Basis = LegalBasis.POLICE_COOPERATION,
    country: Annotated[
        str | None, typer.Option("--country", help="Issuing country, phone region or IFSC.")
    ] = None,
    dob: Annotated[str | None, typer.Option("--dob", help="Date of birth (person).")] = None,
    peer: Peer = None,
) -> None:
    """Ask whether the peer holds anything on one identifier."""
    node = settings()
    try:
        data = CheckIn.model_validate(
            {
                "peer": peer,
                "purpose": purpose,
                "legal_basis": basis,
                "identifiers": [
                    {"category": category, "value": value, "country": country, "date_of_birth": dob}
                ],
            }
        )
    except ValidationError as error:
        raise typer.BadParameter(str(error.errors()[0]["msg"])) from None
    with transaction(node) as db, httpx.Client() as http:
        out = HitcheckService(db, operator(node), node, http).check(data)
    _show(out)


@app.command("bulk")
def bulk_check(
    file: Annotated[
        Path, typer.Argument(help="CSV: category,value[,country,date_of_birth,currency]")
    ],
    output: Annotated[Path, typer.Option("-o", "--output", help="Result CSV to write.")],
    purpose: Purpose,
    basis: Basis = LegalBasis.POLICE_COOPERATION,
    peer: Peer = None,
) -> None:
    """Check every row of a CSV; write hit / no hit per row (never the peer's data)."""
    node = settings()
    text = file.read_text(encoding="utf-8")
    with transaction(node) as db, httpx.Client() as http:
        out = bulk.run(HitcheckService(db, operator(node), node, http), text, purpose, basis, peer)
    output.write_text(bulk.result_csv(out), encoding="utf-8")
    console.print(f"{out.hits} hit(s) of {out.asked} checked with {out.peer}; wrote {output}")


@index_app.command("status")
def index_status() -> None:
    """Epoch, version and size of the index, by category."""
    node = settings()
    with transaction(node) as db:
        found = index.status(db)
    console.print(
        f"epoch {found.epoch}  version {found.version}  live {found.live}  "
        f"tombstones {found.tombstones}  entity rows pending {found.pending}"
    )
    for category, count in sorted(found.categories.items()):
        console.print(f"  {category}: {count}")
    console.print("indexed categories: " + ", ".join(node.hitcheck_indexed_categories))


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Start a new key epoch and recompute every tag (peers' copies start again)."""
    node = settings()
    with transaction(node) as db:
        count = index.rebuild(db, node)
    console.print(f"rebuilt: {count} tag(s)")
