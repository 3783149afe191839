"""The real STIX corpora shipped in tests/data/cyber (see make_corpora.py there)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data" / "cyber"
BUNDLES = (
    "attack-ics-18.1-slice.json",
    "misp-stix-event1.json",
    "misp-stix-events_collection.json",
    "misp-stix-attributes_collection.json",
    "misp-stix-objects_collection.json",
    "misp-stix-converted.json",
    "opencti-style.json",
)


def objects_of(name: str) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = json.loads((DATA / name).read_text(encoding="utf-8"))["objects"]
    return objects
