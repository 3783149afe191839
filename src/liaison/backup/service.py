"""``liaison backup`` and ``liaison restore``.

A backup is a directory: ``manifest.json``, the database (``database.sqlite`` taken
with SQLite's online backup API while the node runs, or ``database.pgdump`` from
``pg_dump --format=custom``) and ``blobs/`` (the encrypted attachment files). The
node's secret key is not in it unless asked for: it opens the node's private keys and
every blob, so it is kept apart (docs/operations.md, "Backup and restore").

A restore checks the manifest (every part's SHA-256, the party, a schema revision this
release knows), refuses while the node answers, replaces database and blobs, migrates
to head, records the restore in the audit chain and queues a resync with every peer
(federation/resync.py) so that nothing the peers sent since the backup is lost.
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import httpx
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, make_url, select
from sqlalchemy.orm import Session

from liaison import __version__
from liaison.backup import manifest, postgres
from liaison.backup.manifest import Manifest
from liaison.config import Settings
from liaison.kit import clock, files
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.kit.errors import Conflict, ValidationFailed
from liaison.kit.migrate import alembic_config, current_and_head, upgrade
from liaison.ledger.service import HEAD_ID, OPERATOR, record
from liaison.models import AuditChainHead, Peer, PeerResync, RestoreEvent

SQLITE_PART = "database.sqlite"
PG_PART = "database.pgdump"
KEY_PART = "secret.key"
BLOBS = "blobs"


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    restore_id: str
    peers: list[str]


def _backend(settings: Settings) -> str:
    return "sqlite" if settings.effective_database_url.startswith("sqlite") else "postgresql"


def _sqlite_path(settings: Settings) -> Path:
    database = make_url(settings.effective_database_url).database
    if not database:
        raise ValidationFailed("backup needs a SQLite database file, not an in-memory one")
    return Path(database)


def _audit_sequence(db: Session) -> int:
    return db.scalar(select(AuditChainHead.sequence).where(AuditChainHead.id == HEAD_ID)) or 0


def _copy_sqlite(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy while the node keeps writing."""
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    origin.close()
    copy.close()


def _copy_blobs(source: Path, target: Path) -> None:
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        target.mkdir()


def backup(settings: Settings, target: Path, *, include_secret_key: bool = False) -> Manifest:
    """Back the node up into the new directory ``target`` (the node may be running)."""
    if target.exists() and any(target.iterdir()):
        raise Conflict(f"{target} exists and is not empty: give a new directory")
    target.mkdir(parents=True, exist_ok=True, mode=files.DIR_MODE)
    engine = make_engine(settings.effective_database_url)
    try:
        revision, _ = current_and_head(engine)
        if revision is None:
            raise ValidationFailed("the node's database is not initialised: run 'liaison init'")
        with unit_of_work(make_session_factory(engine)) as db:
            sequence = _audit_sequence(db)
        backend = _backend(settings)
        if backend == "sqlite":
            _copy_sqlite(_sqlite_path(settings), target / SQLITE_PART)
        else:
            postgres.dump(engine, settings.effective_database_url, target / PG_PART)
    finally:
        engine.dispose()
    _copy_blobs(settings.data_dir / BLOBS, target / BLOBS)
    if include_secret_key:
        shutil.copyfile(settings.secret_key_path, target / KEY_PART)
    parts = sorted(
        (manifest.part(target, path) for path in target.rglob("*") if path.is_file()),
        key=lambda item: item.name,
    )
    made = Manifest.model_validate(
        dict(
            liaison_version=__version__,
            backend=backend,
            schema_revision=revision,
            party=settings.party,
            node_name=settings.node_name,
            created_at=clock.now(),
            audit_sequence=sequence,
            secret_key_included=include_secret_key,
            parts=parts,
        )
    )
    manifest.write(target, made)
    _secure_tree(target)
    return made


def _secure_tree(root: Path) -> None:
    root.chmod(files.DIR_MODE)
    for path in root.rglob("*"):
        path.chmod(files.DIR_MODE if path.is_dir() else files.FILE_MODE)


def check(settings: Settings, source: Path) -> Manifest:
    """The backup's manifest, verified against its parts and this node."""
    found = manifest.read(source)
    manifest.verify(source, found)
    if found.party != settings.party:
        raise ValidationFailed(
            f"this backup is of party {found.party}'s node ({found.node_name}); "
            f"this node is {settings.party}: refusing to restore it here"
        )
    if found.backend != _backend(settings):
        raise ValidationFailed(
            f"this backup is of a {found.backend} node; this node uses {_backend(settings)}"
        )
    try:
        known = ScriptDirectory.from_config(alembic_config()).get_revision(found.schema_revision)
    except CommandError:
        known = None
    if known is None:
        raise ValidationFailed(
            f"this backup is at schema revision {found.schema_revision}, newer than this "
            f"release of Liaison ({__version__}) knows: install the release that made it "
            f"({found.liaison_version}) or a later one, then restore"
        )
    return found


def ensure_stopped(settings: Settings) -> None:
    """Refuse while the node answers at its public address (stop serve and worker first)."""
    url = f"{settings.public_base_url.rstrip('/')}/healthz"
    try:
        answer = httpx.get(url, timeout=2, verify=settings.http_verify)
    except httpx.HTTPError:
        return
    if answer.status_code < 500:
        raise Conflict(
            f"the node answers at {settings.public_base_url}: stop 'liaison serve' and "
            "'liaison worker' before restoring (a restore replaces the database under them)"
        )


def _secret_key(settings: Settings, source: Path, found: Manifest) -> None:
    """The node's own secret key stays; one in the backup is used only if there is none."""
    path = settings.secret_key_path
    backed_up = source / KEY_PART
    if path.exists():
        if found.secret_key_included and backed_up.read_text().strip() != path.read_text().strip():
            raise ValidationFailed(
                f"the secret key in the backup differs from this node's ({path}): move "
                "the node's key aside if the backup's is the right one"
            )
        return
    if not found.secret_key_included:
        raise ValidationFailed(
            f"this node has no secret key at {path} and the backup holds none: put the "
            "node's secret key back there first (it opens the node's keys and attachments)"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(backed_up, path)


def _replace_database(settings: Settings, engine: Engine, source: Path, found: Manifest) -> None:
    if _backend(settings) == "sqlite":
        database = _sqlite_path(settings)
        engine.dispose()
        for stale in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
            stale.unlink(missing_ok=True)
        database.parent.mkdir(parents=True, exist_ok=True)
        _copy_sqlite(source / SQLITE_PART, database)
    else:
        current, _ = current_and_head(engine)
        if current not in (None, found.schema_revision):
            raise Conflict(
                f"the node's database is at schema revision {current}, the backup at "
                f"{found.schema_revision}: restore into an empty schema (drop and recreate "
                "it, then run 'liaison restore' again; the restore migrates it to this release)"
            )
        postgres.restore(engine, settings.effective_database_url, source / PG_PART)


def _replace_blobs(settings: Settings, source: Path) -> None:
    target = settings.data_dir / BLOBS
    if target.exists():
        shutil.rmtree(target)
    _copy_blobs(source / BLOBS, target)


def _record(db: Session, found: Manifest) -> Restored:
    event = RestoreEvent(
        backup_created_at=found.created_at,
        backup_revision=found.schema_revision,
        backup_audit_sequence=found.audit_sequence,
    )
    db.add(event)
    db.flush()
    peers = list(db.scalars(select(Peer).order_by(Peer.party_code)))
    for peer in peers:
        db.add(
            PeerResync(
                restore_id=event.id,
                peer_party=peer.party_code,
                applied_through=peer.last_in_seq,
                sent_through=peer.next_out_seq - 1,
            )
        )
    record(
        db,
        actor=OPERATOR,
        action="node.restored",
        object_type="node.backup",
        object_id=event.id,
        detail={
            "backup_created_at": found.created_at.isoformat(),
            "backup_schema_revision": found.schema_revision,
            "backup_audit_sequence": found.audit_sequence,
            "chain_continues_from": _audit_sequence(db),
            "resync_peers": [peer.party_code for peer in peers],
        },
    )
    return Restored(found, event.id, [peer.party_code for peer in peers])


def restore(settings: Settings, source: Path) -> Restored:
    """Restore the stopped node from the backup in ``source``."""
    found = check(settings, source)
    ensure_stopped(settings)
    _secret_key(settings, source, found)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.effective_database_url)
    try:
        _replace_database(settings, engine, source, found)
        _replace_blobs(settings, source)
        engine.dispose()
        upgrade(engine)
        with unit_of_work(make_session_factory(engine)) as db:
            restored = _record(db, found)
    finally:
        engine.dispose()
    files.secure(settings)
    return restored
