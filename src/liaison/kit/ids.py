"""Identifiers: UUIDv7 (time-sortable) for everything that may cross a border."""

from __future__ import annotations

import uuid_utils


def new_id() -> str:
    return str(uuid_utils.uuid7())
