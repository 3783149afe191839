"""``liaison retention ...``: periods, legal holds, purge, deletion requests and certificates."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from liaison.kit.cli import console, operator, registry, settings, transaction
from liaison.retention import deletion
from liaison.retention import service as retention
from liaison.retention.deletion import DeletionRequestIn

app = typer.Typer(
    help="Retention periods, legal holds and deletion certificates.", no_args_is_help=True
)


@app.command("periods")
def periods(context: typer.Context) -> None:
    """Retention periods per originating party and category."""
    node = settings()
    table = Table("party", "category", "days", "set by", "at")
    with transaction(node) as db:
        for row in retention.periods(db):
            table.add_row(
                row.party_code,
                row.category,
                str(row.days),
                row.updated_by,
                row.updated_at.isoformat(timespec="seconds"),
            )
    console.print(table)
    known = retention.categories(registry(context).purge_rules)
    console.print(f"categories: {', '.join(known)}")


@app.command("set-period")
def set_period(
    context: typer.Context,
    party: Annotated[str, typer.Option(help="Originating party, e.g. IN.")],
    category: Annotated[str, typer.Option(help="e.g. directory.officer")],
    days: Annotated[int, typer.Option(min=0, max=36500)],
) -> None:
    """Keep data of CATEGORY that PARTY originated for DAYS (then the purge erases it)."""
    node = settings()
    with transaction(node) as db:
        row = retention.set_period(
            db, registry(context).purge_rules, operator(node), party.upper(), category, days
        )
        console.print(f"{row.party_code} {row.category}: kept {row.days} days")


@app.command("hold")
def hold(
    context: typer.Context,
    object_type: Annotated[str, typer.Option("--type")],
    object_id: Annotated[str, typer.Option("--id")],
    reason: Annotated[str, typer.Option()],
) -> None:
    """Place a legal hold: no purge, no erasure on request, until released."""
    node = settings()
    with transaction(node) as db:
        placed = retention.place_hold(
            db, registry(context).purge_rules, operator(node), object_type, object_id, reason
        )
        console.print(f"legal hold {placed.id} on {object_type} {object_id}")


@app.command("release")
def release(context: typer.Context, hold_id: str) -> None:
    """Release a legal hold; deletion requests that waited on it are answered now."""
    node = settings()
    with transaction(node) as db:
        rules = registry(context).purge_rules
        released = deletion.release_hold(db, node, rules, operator(node), hold_id)
        console.print(f"released legal hold on {released.object_type} {released.object_id}")


@app.command("purge")
def purge(context: typer.Context) -> None:
    """Run the purge job now (the worker runs it every retention_purge_minutes)."""
    node = settings()
    with transaction(node) as db:
        erased = retention.purge(db, registry(context).purge_rules)
        for tombstone in erased:
            console.print(f"erased {tombstone.object_type} {tombstone.object_id}")
    console.print(f"{len(erased)} erased")


@app.command("request-deletion")
def request_deletion(
    context: typer.Context,
    peer: Annotated[str, typer.Option(help="The party to ask, e.g. CA.")],
    object_type: Annotated[str, typer.Option("--type")],
    object_id: Annotated[str, typer.Option("--id")],
    reason: Annotated[str, typer.Option()],
) -> None:
    """Ask a peer to erase something this node originated; a signed certificate comes back."""
    node = settings()
    data = DeletionRequestIn(
        peer_party=peer.upper(), object_type=object_type, object_id=object_id, reason=reason
    )
    with transaction(node) as db:
        rules = registry(context).purge_rules
        row = deletion.request_deletion(db, node, rules, operator(node), data)
        console.print(f"deletion request {row.id} queued for {row.peer_party}")


@app.command("deletions")
def deletions() -> None:
    """Deletion requests sent and received, and their certificates."""
    node = settings()
    table = Table("request", "direction", "peer", "object", "status", "certificate")
    with transaction(node) as db:
        for row in deletion.requests(db):
            valid = deletion.stored_certificate_valid(db, node.party, row)
            certificate = "signature valid" if valid else ("INVALID" if row.certificate else "-")
            table.add_row(
                row.id,
                row.direction,
                row.peer_party,
                f"{row.object_type} {row.object_id}",
                row.status,
                certificate,
            )
    console.print(table)
