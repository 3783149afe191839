"""Backup and restore: ``liaison backup PATH`` and ``liaison restore PATH``."""

from __future__ import annotations

from liaison.kit.plugin import Command, Plugin, Ref

PLUGIN = Plugin(
    name="backup",
    commands=(
        Command(
            "backup",
            Ref("liaison.backup.cli:backup"),
            "Back the node up (database, attachments, manifest).",
            group=False,
        ),
        Command(
            "restore",
            Ref("liaison.backup.cli:restore"),
            "Restore a stopped node from a backup.",
            group=False,
        ),
    ),
)
