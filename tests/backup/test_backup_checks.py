"""``liaison backup`` / ``restore`` in-process on SQLite and PostgreSQL: a restore puts
the backed-up state back and records itself; damaged, foreign or newer backups are
refused with a message that says why, and nothing is touched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Select, func, select

from liaison.backup import service
from liaison.config import Settings
from liaison.directory.service import ensure_party
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.kit.errors import ValidationFailed
from liaison.models import AuditEntry, Party, RestoreEvent
from tests.support.nodes import free_port


def _node(url: str, root: Path, party: str = "CA") -> Settings:
    node = Settings(
        party=party,
        node_name=f"liaison-{party.lower()}",
        data_dir=root / "node",
        database_url=url,
        public_base_url=f"http://127.0.0.1:{free_port()}",  # nothing listens: "stopped"
    )
    node.ensure_secret_key()
    return node


def _count(node: Settings, statement: Select[tuple[int]]) -> int:
    engine = make_engine(node.effective_database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as db:
            return db.scalar(statement) or 0
    finally:
        engine.dispose()


def _add_party(node: Settings, code: str, name: str) -> None:
    engine = make_engine(node.effective_database_url)
    with unit_of_work(make_session_factory(engine)) as db:
        ensure_party(db, code, name)
    engine.dispose()


def test_restore_puts_the_backup_back_and_refuses_what_does_not_fit(
    committed_url: str, tmp_path: Path
) -> None:
    node = _node(committed_url, tmp_path)
    _add_party(node, "CA", "Canada")
    blob = node.data_dir / "blobs" / "ab" / "abcdef"
    blob.parent.mkdir(parents=True)
    blob.write_bytes(b"sealed attachment")
    backup = tmp_path / "backup"
    made = service.backup(node, backup)
    assert {part.name for part in made.parts} >= {"blobs/ab/abcdef"}
    assert not made.secret_key_included
    assert not (backup / "secret.key").exists()

    _add_party(node, "US", "United States")  # after the backup: a restore loses it
    blob.write_bytes(b"changed")
    service.restore(node, backup)
    assert _count(node, select(func.count()).select_from(Party)) == 1
    assert blob.read_bytes() == b"sealed attachment"
    assert _count(node, select(func.count()).select_from(RestoreEvent)) == 1
    restored = select(func.count()).where(AuditEntry.action == "node.restored")
    assert _count(node, restored) == 1

    india = _node(committed_url, tmp_path / "india", party="IN")
    with pytest.raises(ValidationFailed, match="this backup is of party CA's node"):
        service.restore(india, backup)

    manifest = json.loads((backup / "manifest.json").read_text())
    (backup / "manifest.json").write_text(json.dumps(manifest | {"schema_revision": "0099_x"}))
    with pytest.raises(ValidationFailed, match="newer than this release"):
        service.restore(node, backup)
    (backup / "manifest.json").write_text(json.dumps(manifest))
    (backup / "blobs" / "ab" / "abcdef").write_bytes(b"tampered attachment")
    with pytest.raises(ValidationFailed, match="damaged: blobs/ab/abcdef"):
        service.restore(node, backup)
    assert _count(node, select(func.count()).select_from(RestoreEvent)) == 1
