"""``liaison policy ...``: rule packs (list, show, load, activate) and explain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from liaison.kit.cli import console, settings, transaction
from liaison.kit.errors import ValidationFailed
from liaison.policy import register, service, store
from liaison.policy.schemas import PolicySubject

app = typer.Typer(help="The policy engine: rule packs and decisions.", no_args_is_help=True)
packs_app = typer.Typer(help="Versioned rule packs (CA, IN, CA-IN).", no_args_is_help=True)
app.add_typer(packs_app, name="packs")
OPERATOR = "user:operator"


@packs_app.command("list")
def list_packs() -> None:
    """Every stored version; the active one per pack is marked."""
    with transaction(settings()) as db:
        store.ensure_shipped_packs(db)
        rows = store.list_packs(db)
        table = Table("pack", "version", "rules", "active", "loaded by", "title")
        table.add_column("id", no_wrap=True)
        for row in rows:
            active = "[green]active[/green]" if row.active else ""
            who, title = escape(row.loaded_by), escape(row.title)
            table.add_row(row.pack, row.version, str(row.rule_count), active, who, title, row.id)
    console.print(table)


@packs_app.command("show")
def show_pack(pack_id: str) -> None:
    """Print a stored version's TOML source."""
    with transaction(settings()) as db:
        row = store.get_pack(db, pack_id)
        console.print(f"# {row.pack} {row.version} sha256 {row.sha256}", highlight=False)
        console.print(row.source, highlight=False, markup=False)


@packs_app.command("load")
def load_pack(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    activate: Annotated[bool, typer.Option(help="Activate it at once.")] = False,
) -> None:
    """Validate and store a pack file; refused (naming the rule) if it is not sound."""
    source = file.read_text(encoding="utf-8")
    with transaction(settings()) as db:
        row = store.load_pack(db, source, actor=OPERATOR)
        if activate:
            store.activate(db, row.id, actor=OPERATOR)
        state = "active" if row.active else "stored (not active)"
        console.print(f"pack {row.pack} {row.version} ({row.rule_count} rules) {state}: {row.id}")


@packs_app.command("activate")
def activate_pack(pack_id: str) -> None:
    """Make a stored version the active one for its pack."""
    with transaction(settings()) as db:
        row = store.activate(db, pack_id, actor=OPERATOR)
        console.print(f"pack {row.pack} {row.version} is now active")


def _plain(text: str) -> None:
    console.print(text, highlight=False, markup=False)


@app.command("explain")
def explain(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Explain the decision for a draft item given as PolicySubject JSON."""
    try:
        subject = PolicySubject.model_validate_json(file.read_text(encoding="utf-8"))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "file"
        raise ValidationFailed.on_field(field, first["msg"]) from exc
    with transaction(settings()) as db:
        decision = service.explain(db, subject)
    console.print(f"effect: [bold]{decision.effect.value}[/bold]")
    for hit in decision.rules:
        _plain(f"- {hit.rule_id} [{hit.effect}] {hit.citation}")
        _plain(f"  {hit.explanation}")
    for ob in decision.obligations:
        due = f" due {ob.due.isoformat()}" if ob.due else ""
        _plain(f"obligation {ob.kind.value}{due}: {ob.detail}")
    console.print(json.dumps({"not_applicable": [r.rule_id for r in decision.not_applicable]}))


register_app = typer.Typer(
    help="The register of protected persons (refugee claimants, protected persons).",
    no_args_is_help=True,
)
app.add_typer(register_app, name="protected-persons")


@register_app.command("import")
def import_register(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
) -> None:
    """Import a CSV (name, date_of_birth, protection_status, feared_country, reference)."""
    text = file.read_text(encoding="utf-8-sig")
    node = settings()
    with transaction(node) as db:
        imported = register.import_csv(db, text, actor=OPERATOR, party=node.party)
        total = register.count(db)
    console.print(f"imported {imported} entries; the register holds {total}")
