"""``liaison cyber ...``: collections, rights, sharing, import/export, revocation."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import select

from liaison.cyber.repository import ObjectQuery
from liaison.cyber.schemas import CollectionCreate, GrantCreate, ShareCreate
from liaison.cyber.service import CyberService
from liaison.cyber.tlp import Tlp
from liaison.kit.cli import console, operator, settings, transaction
from liaison.kit.errors import ValidationFailed
from liaison.kit.plugin import Ref
from liaison.models import Agency, CyberObject

app = typer.Typer(
    help="Cyber information sharing: STIX collections and TAXII.", no_args_is_help=True
)
collections_app = typer.Typer(help="TAXII collections, rights and sharing.", no_args_is_help=True)
app.add_typer(collections_app, name="collections")
BATCH = 500


@collections_app.command("list")
def list_collections() -> None:
    """List collections (mirrors of peers' collections included)."""
    node = settings()
    table = Table("id", "title", "owner", "default TLP", "shared with", "mirror of")
    with transaction(node) as db:
        for c in CyberService(db, operator(node)).repo.collections():
            shared = ", ".join(f"{p}({a or '-'})" for p, a in sorted(c.shared_with.items()))
            table.add_row(c.id, c.title, c.owner_party, c.default_tlp, shared, c.origin_node or "")
    console.print(table)


@collections_app.command("create")
def create_collection(
    title: str,
    agency: Annotated[str | None, typer.Option(help="Acronym of the holding agency.")] = None,
    default_tlp: Annotated[Tlp, typer.Option(help="TLP of objects without a marking.")] = Tlp.AMBER,
    description: Annotated[str, typer.Option()] = "",
) -> None:
    """Create a collection; the holding agency gets write rights."""
    node = settings()
    data = CollectionCreate(
        title=title, description=description, default_tlp=default_tlp, agency_acronym=agency
    )
    with transaction(node) as db:
        collection = CyberService(db, operator(node)).create_collection(data)
        console.print(f"created collection {collection.title} ({collection.id})")


def _subject(db: Any, party: str, subject: str) -> str:
    """user:NAME, agency:ACRONYM (or id) and party:XX as stored subjects."""
    kind, _, name = subject.partition(":")
    if kind == "user" and name.count(":") == 0:
        return f"user:{party}:{name}"
    if kind == "agency":
        found = db.scalar(select(Agency.id).where((Agency.acronym == name) | (Agency.id == name)))
        if found is None:
            raise ValidationFailed.on_field("subject", f"no agency {name}")
        return f"agency:{found}"
    return subject


@collections_app.command("grant")
def grant(
    collection: str,
    subject: Annotated[str, typer.Argument(help="user:NAME, agency:ACRONYM or party:XX")],
    write: Annotated[bool, typer.Option("--write", help="Also allow writing.")] = False,
    no_read: Annotated[bool, typer.Option("--no-read", help="Withdraw reading.")] = False,
) -> None:
    """Give (or change) a subject's rights on a collection."""
    node = settings()
    with transaction(node) as db:
        stored = _subject(db, node.party, subject)
        data = GrantCreate(subject=stored, can_read=not no_read, can_write=write)
        CyberService(db, operator(node)).grant(collection, data)
        console.print(f"{stored}: read={not no_read} write={write} on {collection}")


@collections_app.command("share")
def share(
    collection: str,
    peer: Annotated[str, typer.Option(help="Party code of the peer node, e.g. CA.")],
    agency: Annotated[str | None, typer.Option(help="Receiving agency's acronym there.")] = None,
) -> None:
    """Share a collection with a peer: its objects travel to the peer's mirror."""
    node = settings()
    with transaction(node) as db:
        data = ShareCreate(party=peer.upper(), recipient_agency=agency)
        queued = CyberService(db, operator(node)).share(collection, data)
        console.print(f"shared {collection} with {peer.upper()}; {queued} object(s) queued")


# misp-stix and PyMISP load only when a MISP file is read or written.
_READ_MISP: Ref[Callable[[Path], list[dict[str, Any]]]] = Ref("liaison.cyber.misp:read_misp")
_MISP_TO_STIX: Ref[Callable[[list[dict[str, Any]]], Any]] = Ref("liaison.cyber.misp:misp_to_stix")
_STIX_TO_MISP: Ref[Callable[..., Any]] = Ref("liaison.cyber.misp:stix_to_misp")
# taxii2-client and requests load only for a pull.
_ADD_FEED: Ref[Callable[..., Any]] = Ref("liaison.cyber.pull:add_feed")
_PULL: Ref[Callable[..., Any]] = Ref("liaison.cyber.pull:pull")


def _report_misp(converted: Any) -> None:
    lost = ", ".join(f"{kind} x{count}" for kind, count in sorted(converted.not_converted.items()))
    console.print(
        f"MISP: {converted.events} event(s), {converted.attributes} attribute(s) -> "
        f"{len(converted.objects)} STIX object(s) (misp-stix); "
        f"not converted: {lost or 'none'}"
    )
    for message in converted.messages[:10]:
        console.print(f"[yellow]misp-stix[/yellow] {message}")


def _objects_of(path: Path) -> list[Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed.on_field("file", f"cannot read {path}: {exc}") from exc
    if isinstance(document, dict) and document.get("type") == "bundle":
        objects = document.get("objects", [])
        if not isinstance(objects, list):
            raise ValidationFailed.on_field("file", "the bundle's objects are not a list")
        return objects
    if isinstance(document, dict | list):
        converted = _MISP_TO_STIX.target(_READ_MISP.target(path))
        _report_misp(converted)
        return list(converted.objects)
    raise ValidationFailed.on_field("file", "neither a STIX bundle nor MISP events")


@app.command("import")
def import_file(
    file: Path,
    collection: Annotated[str, typer.Option(help="Collection id.")],
    audience: Annotated[
        list[str] | None,
        typer.Option(
            help="Who RED/AMBER+STRICT objects are shared with "
            "(user:NAME, user:XX:NAME, agency:ACRONYM, party:XX); repeat."
        ),
    ] = None,
) -> None:
    """Import a STIX 2.1 bundle or a MISP event JSON, in batches, with a progress bar."""
    node = settings()
    objects = _objects_of(file)
    stored = failed = warned = 0
    with Progress(console=console) as progress:
        task = progress.add_task(f"importing {file.name}", total=len(objects))
        for start in range(0, len(objects), BATCH):
            batch = objects[start : start + BATCH]
            with transaction(node) as db:
                subjects = [_subject(db, node.party, s) for s in audience or []]
                result = CyberService(db, operator(node)).write(collection, batch, subjects)
            stored += len(result.stored)
            failed += len(result.failures)
            warned += result.warning_count
            for failure in result.failures[:5]:
                progress.console.print(
                    f"[yellow]skipped[/yellow] {failure['id']}: {failure['message']}"
                )
            progress.advance(task, len(batch))
    console.print(f"imported {stored} object(s), skipped {failed}, warnings {warned}")


class ExportFormat(StrEnum):
    STIX = "stix"
    MISP = "misp"


@app.command("export")
def export(
    collection: Annotated[str, typer.Option(help="Collection id.")],
    output: Annotated[Path, typer.Option(help="File to write the STIX bundle to.")],
    format: Annotated[
        ExportFormat, typer.Option(help="stix: a STIX 2.1 bundle; misp: one MISP event (JSON).")
    ] = ExportFormat.STIX,
) -> None:
    """Export the latest version of every object as a STIX 2.1 bundle (streamed), or as
    one MISP event through misp-stix."""
    if format is ExportFormat.MISP:
        _export_misp(collection, output)
        return
    node = settings()
    count = 0
    with transaction(node) as db, output.open("w", encoding="utf-8") as out:
        repo = CyberService(db, operator(node)).repo
        found = repo.collection(collection)
        out.write('{"type":"bundle","id":"bundle--' + str(uuid.uuid4()) + '","objects":[')
        after = 0
        while True:
            rows = repo.page(found, ObjectQuery(after_seq=after, limit=BATCH), CyberObject.raw)[
                :BATCH
            ]
            if not rows:
                break
            out.write(("," if count else "") + ",".join(row[2] for row in rows))
            count += len(rows)
            after = rows[-1][0]
        out.write("]}")
    console.print(f"exported {count} object(s) to {output}")


def _export_misp(collection: str, output: Path) -> None:
    node = settings()
    objects: list[Any] = []
    with transaction(node) as db:
        repo = CyberService(db, operator(node)).repo
        found = repo.collection(collection)
        after = 0
        while rows := repo.page(found, ObjectQuery(after_seq=after, limit=BATCH), CyberObject.raw)[
            :BATCH
        ]:
            objects.extend(json.loads(row[2]) for row in rows)
            after = rows[-1][0]
        title = found.title
    exported = _STIX_TO_MISP.target(objects, title)
    output.write_text(json.dumps(exported.event, indent=1, ensure_ascii=False), encoding="utf-8")
    lost = ", ".join(f"{kind} x{n}" for kind, n in sorted(exported.not_converted.items()))
    console.print(
        f"exported {len(objects)} STIX object(s) as one MISP event to {output}: "
        f"{exported.attributes} attribute(s), {exported.objects} object(s); "
        f"not converted: {lost or 'none'}"
    )


@app.command("pull")
def pull_feed(
    url: Annotated[str, typer.Argument(help="The TAXII API root, e.g. https://host/taxii2/cti/")],
    collection: Annotated[str, typer.Option(help="The remote collection's id.")],
    into: Annotated[str, typer.Option(help="The local collection that mirrors it.")],
    username: Annotated[str | None, typer.Option(help="HTTP Basic user (else Bearer).")] = None,
    secret_env: Annotated[
        str | None, typer.Option(help="Environment variable holding the password or token.")
    ] = None,
) -> None:
    """Pull a remote TAXII collection into a local one now; the feed is kept, and the
    worker pulls it again every 15 minutes (only what was added since)."""
    node = settings()
    url = f"{url.rstrip('/')}/collections/{collection}/"
    with transaction(node) as db:
        caller = operator(node)
        CyberService(db, caller).repo.collection(into)  # 404 unless it exists
        feed = _ADD_FEED.target(db, url, into, username, secret_env)
        result = _PULL.target(db, caller, feed)
    console.print(f"pulled {url} into {into}: {result.line()}")


@app.command("revoke")
def revoke(collection: str, stix_id: str) -> None:
    """Revoke an object: a new revoked version, sent to the peers the collection is shared with."""
    node = settings()
    with transaction(node) as db:
        stored = CyberService(db, operator(node)).revoke(collection, stix_id)
        console.print(f"revoked {stix_id} (version {stored.version})")


@app.command("objects")
def objects(
    collection: str,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
) -> None:
    """The most recent objects of a collection, with marking and provenance."""
    node = settings()
    table = Table("id", "type", "TLP", "revoked", "version", "origin")
    with transaction(node) as db:
        repo = CyberService(db, operator(node)).repo
        for obj in repo.recent(repo.collection(collection), (), limit):
            origin = f"{obj.origin_party} {obj.origin_node or '(this node)'}"
            table.add_row(
                obj.stix_id, obj.type, obj.tlp, "yes" if obj.revoked else "", obj.version, origin
            )
    console.print(table)
