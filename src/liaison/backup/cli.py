"""``liaison backup PATH`` / ``liaison restore PATH``: thin; the service does the work."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from liaison.backup import service
from liaison.kit.cli import console, err_console, settings
from liaison.kit.errors import ConfigurationError

KEY_NOTE = (
    "The node's secret key ({path}) is NOT in this backup. It opens the node's private "
    "keys and every attachment: without it the backup cannot be used. Back it up "
    "separately, offline (see docs/operations.md, 'Backup and restore')."
)
KEY_WARNING = (
    "WARNING: this backup holds the node's secret key ({path}). Anyone who reads the "
    "backup can open the node's keys and attachments: keep it as secret as the node."
)


def backup(
    path: Annotated[Path, typer.Argument(help="A new (or empty) directory for the backup.")],
    include_secret_key: Annotated[
        bool,
        typer.Option(
            "--include-secret-key",
            help="Also copy the node's secret key into the backup (then guard it as the key).",
        ),
    ] = False,
) -> None:
    """Back the node up while it runs: database, attachment blobs, a manifest of hashes."""
    node = settings()
    try:
        made = service.backup(node, path, include_secret_key=include_secret_key)
    except OSError as exc:  # no space, no permission: one line, and no manifest is left
        raise ConfigurationError(f"the backup into {path} failed: {exc}") from exc
    size = sum(part.bytes for part in made.parts)
    console.print(
        f"backup of {made.party}/{made.node_name} in {path}: {made.backend} database at "
        f"revision {made.schema_revision}, {len(made.parts)} part(s), {size} bytes, "
        f"audit chain at {made.audit_sequence}",
        highlight=False,
    )
    note = KEY_WARNING if include_secret_key else KEY_NOTE
    err_console.print(note.format(path=node.secret_key_path), highlight=False)


def restore(
    path: Annotated[Path, typer.Argument(help="The backup directory (with manifest.json).")],
) -> None:
    """Restore this (stopped) node from a backup; its peers then re-send what it lost."""
    try:
        done = service.restore(settings(), path)
    except OSError as exc:
        raise ConfigurationError(f"the restore from {path} failed: {exc}") from exc
    found = done.manifest
    console.print(
        f"restored {found.party}/{found.node_name} from the backup of "
        f"{found.created_at.isoformat()} (revision {found.schema_revision}); the restore "
        f"is in the audit log (node.restored {done.restore_id})",
        highlight=False,
    )
    if done.peers:
        console.print(
            f"on start, this node asks {', '.join(done.peers)} to re-send what it lost "
            "and continues its own numbering after what they received",
            highlight=False,
        )
