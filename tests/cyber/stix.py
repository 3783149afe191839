"""STIX objects for the cyber tests."""

from __future__ import annotations

import uuid
from typing import Any

from liaison.cyber.tlp import MARKING_FOR, Tlp

STAMP = "2026-02-07T10:00:00.000Z"


def indicator(
    n: int = 0,
    *,
    tlp: Tlp | None = None,
    stix_id: str | None = None,
    modified: str = STAMP,
    **extra: Any,
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": stix_id or f"indicator--{uuid.uuid4()}",
        "created": STAMP,
        "modified": modified,
        "name": f"Test indicator {n}",
        "indicator_types": ["malicious-activity"],
        "pattern": f"[ipv4-addr:value = '10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}']",
        "pattern_type": "stix",
        "valid_from": STAMP,
    }
    if tlp is not None:
        obj["object_marking_refs"] = [MARKING_FOR[tlp]]
    obj.update(extra)
    return obj


def envelope(*objects: dict[str, Any]) -> dict[str, Any]:
    return {"objects": list(objects)}
