"""The canonical encoding of an audit entry and its hash. Pure functions only.

``entry_hash = hex(SHA-256(UTF-8(canonical)))`` where ``canonical`` is

    liaison-audit-v1|<sequence>|<at>|<actor>|<action>|<object_type>|<object_id>|
    <decision>|<rule_ids>|<detail>|<prev_hash>

(one line, no spaces added) with ``<sequence>`` in decimal, every other field written
as ``<length in characters>:<text>`` (so no content can move a field boundary), a
missing decision as ``~``, ``at`` as ISO 8601 UTC with microseconds
(``2026-02-06T10:00:00.000000+00:00``) and ``rule_ids`` / ``detail`` as their stored
canonical JSON text (sorted keys, no spaces). Each entry has exactly one encoding.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from hashlib import sha256
from typing import Any

from liaison.models.audit import GENESIS_HASH

DOMAIN = "liaison-audit-v1"
_encode = json.JSONEncoder(separators=(",", ":"), sort_keys=True, allow_nan=False).encode

__all__ = ["DOMAIN", "GENESIS_HASH", "canonical", "canonical_json", "entry_hash", "format_at"]


def canonical_json(value: Sequence[str] | Mapping[str, Any]) -> str:
    """Compact JSON with sorted keys; refuses NaN/Infinity and non-JSON types."""
    return _encode(value)


def format_at(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(
    sequence: int,
    at: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    decision: str | None,
    rule_ids_json: str,
    detail_json: str,
    prev_hash: str,
) -> str:
    """The canonical line (``at`` already formatted by format_at); see the module text.
    ``audit.canonical_sql`` builds the same line in SQL for verify: keep them in step."""
    decided = "~" if decision is None else f"{len(decision)}:{decision}"
    return (
        f"{DOMAIN}|{sequence}|{len(at)}:{at}|{len(actor)}:{actor}|{len(action)}:{action}|"
        f"{len(object_type)}:{object_type}|{len(object_id)}:{object_id}|{decided}|"
        f"{len(rule_ids_json)}:{rule_ids_json}|{len(detail_json)}:{detail_json}|"
        f"{len(prev_hash)}:{prev_hash}"
    )


def entry_hash(
    sequence: int,
    at: str,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    decision: str | None,
    rule_ids_json: str,
    detail_json: str,
    prev_hash: str,
) -> str:
    """Hex SHA-256 of the canonical line."""
    line = canonical(
        sequence,
        at,
        actor,
        action,
        object_type,
        object_id,
        decision,
        rule_ids_json,
        detail_json,
        prev_hash,
    )
    return sha256(line.encode()).hexdigest()
