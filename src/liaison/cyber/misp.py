"""A small MISP event → STIX 2.1 indicator mapper for the common attribute types.

(misp-stix, MISP's own converter, is not installed here.) Attributes flagged ``to_ids``
of the types below become indicators; the event's ``tlp:*`` tag becomes the marking.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from liaison.cyber.tlp import MARKING_FOR, Tlp
from liaison.kit.errors import ValidationFailed

_PATHS = {
    "ip-src": "ipv4-addr:value",
    "ip-dst": "ipv4-addr:value",
    "domain": "domain-name:value",
    "hostname": "domain-name:value",
    "url": "url:value",
    "link": "url:value",
    "email-src": "email-addr:value",
    "email-dst": "email-addr:value",
    "email": "email-addr:value",
    "md5": "file:hashes.MD5",
    "sha1": "file:hashes.'SHA-1'",
    "sha256": "file:hashes.'SHA-256'",
    "filename": "file:name",
}
_TLP_TAGS = {
    "tlp:clear": Tlp.CLEAR,
    "tlp:white": Tlp.CLEAR,
    "tlp:green": Tlp.GREEN,
    "tlp:amber": Tlp.AMBER,
    "tlp:amber+strict": Tlp.AMBER_STRICT,
    "tlp:red": Tlp.RED,
}


def _stamp(value: Any) -> str:
    try:
        moment = datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError):
        moment = datetime(2026, 1, 1, tzinfo=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _uuid4(value: Any) -> str:
    try:
        parsed = uuid.UUID(str(value))
    except ValueError:
        return str(uuid.uuid4())
    if parsed.version == 4:
        return str(parsed)
    return str(uuid.UUID(bytes=uuid.uuid5(parsed, "indicator").bytes, version=4))


def _tlp(event: dict[str, Any]) -> Tlp | None:
    tags = [str(t.get("name", "")).lower() for t in event.get("Tag", []) if isinstance(t, dict)]
    found = [_TLP_TAGS[t] for t in tags if t in _TLP_TAGS]
    return max(found, key=lambda tlp: tlp.rank) if found else None


def _attributes(event: dict[str, Any]) -> list[dict[str, Any]]:
    attributes = [a for a in event.get("Attribute", []) if isinstance(a, dict)]
    for obj in event.get("Object", []):
        if isinstance(obj, dict):
            attributes.extend(a for a in obj.get("Attribute", []) if isinstance(a, dict))
    return attributes


def misp_to_stix(document: dict[str, Any]) -> list[dict[str, Any]]:
    event = document.get("Event", document)
    if not isinstance(event, dict) or "info" not in event:
        raise ValidationFailed.on_field("file", "not a MISP event (no Event.info)")
    tlp = _tlp(event)
    indicators = []
    for attribute in _attributes(event):
        path = _PATHS.get(str(attribute.get("type")))
        if path is None or not attribute.get("to_ids", True):
            continue
        value = str(attribute.get("value", "")).replace("\\", "\\\\").replace("'", "\\'")
        if attribute.get("type") in ("ip-src", "ip-dst") and ":" in value:
            path = "ipv6-addr:value"
        stamp = _stamp(attribute.get("timestamp", event.get("timestamp")))
        indicator: dict[str, Any] = {
            "type": "indicator",
            "spec_version": "2.1",
            "id": f"indicator--{_uuid4(attribute.get('uuid'))}",
            "created": stamp,
            "modified": stamp,
            "name": f"{event['info']}: {attribute.get('type')} {attribute.get('value')}"[:300],
            "indicator_types": ["malicious-activity"],
            "pattern": f"[{path} = '{value}']",
            "pattern_type": "stix",
            "valid_from": stamp,
            "labels": [f"misp:category={attribute.get('category', 'unknown')}"],
        }
        if tlp is not None:
            indicator["object_marking_refs"] = [MARKING_FOR[tlp]]
        indicators.append(indicator)
    return indicators
