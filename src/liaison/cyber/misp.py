"""MISP in and out through misp-stix, MISP's own converter (no hand-written mapping).

In: a single event (``{"Event": …}`` or a bare event), a list of events, a search
result (``{"response": [{"Event": …}, …]}``) or a feed (its ``manifest.json``: the
events are the ``<uuid>.json`` files beside it) become STIX 2.1 objects. Every MISP
attribute is accounted for: converted (its uuid, or its MISP object's, names a STIX
object) or reported as not converted, by type and count. Timestamps are MISP's; none
is invented here.

Out: STIX objects become one MISP event (JSON that ``pymisp.MISPEvent().load_file``
loads), with what the converter could not convert reported.

misp-stix and PyMISP are heavy to import: the CLI reaches this module through a lazy
reference, so ``liaison`` starts without them.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from misp_stix_converter import MISPtoSTIX21Parser  # type: ignore[import-untyped]
from misp_stix_converter.tools import (  # type: ignore[import-untyped]
    get_stix2_parser,
    is_stix2_from_misp,
    load_stix2_content,
)

from liaison.kit.errors import ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_

_NAMESPACE = uuid.UUID("6f5c7c3e-2b0a-5d8e-9c41-0b8a3d1e7f20")


@dataclass
class MispImport:
    objects: list[dict[str, Any]] = field(default_factory=list)
    events: int = 0
    attributes: int = 0
    not_converted: Counter[str] = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)


@dataclass
class MispExport:
    event: dict[str, Any]
    attributes: int
    objects: int
    not_converted: Counter[str] = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)


def _events(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, dict) and isinstance(document.get("response"), list):
        document = document["response"]
    items = document if isinstance(document, list) else [document]
    events = []
    for item in items:
        event = item.get("Event", item) if isinstance(item, dict) else None
        if not isinstance(event, dict) or "info" not in event:
            raise ValidationFailed.on_field("file", N_("not MISP events (an event has Event.info)"))
        events.append(event)
    return events


def _is_manifest(document: Any) -> bool:
    if not isinstance(document, dict) or not document or "Event" in document:
        return False
    return all(_is_uuid(key) and isinstance(value, dict) for key, value in document.items())


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def read_misp(path: Path) -> list[dict[str, Any]]:
    """The events of a MISP JSON file: an event, a list, a search result or a feed
    manifest (whose events are read from the files beside it)."""
    document = _load(path)
    if _is_manifest(document):
        events = []
        for event_uuid in document:
            events.extend(_events(_load(path.parent / f"{event_uuid}.json")))
        return events
    return _events(document)


def _load(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationFailed.on_field(
            "file", Text(N_("cannot read %(path)s: %(exc)s"), path=path, exc=exc)
        ) from exc


def _attribute_owners(event: dict[str, Any]) -> list[tuple[str, str]]:
    """(attribute type, uuid naming its STIX object) for every attribute of the event."""
    owners = [
        (str(a.get("type")), str(a.get("uuid", "")))
        for a in event.get("Attribute", []) or []
        if isinstance(a, dict)
    ]
    for obj in event.get("Object", []) or []:
        if isinstance(obj, dict):
            owner = str(obj.get("uuid", ""))
            attributes = obj.get("Attribute", []) or []
            owners.extend((str(a.get("type")), owner) for a in attributes if isinstance(a, dict))
    return owners


def _with_uuids(event: dict[str, Any]) -> dict[str, Any]:
    """A copy where every event, object and attribute has a uuid (a missing one is
    derived from the event's, so a re-import names the same STIX objects)."""
    event = json.loads(json.dumps(event))
    base = uuid.uuid5(_NAMESPACE, str(event.get("uuid") or event.get("info")))
    event.setdefault("uuid", str(base))
    records = list(event.get("Attribute", []) or []) + list(event.get("Object", []) or [])
    for obj in event.get("Object", []) or []:
        records.extend(obj.get("Attribute", []) or [] if isinstance(obj, dict) else [])
    for index, record in enumerate(records):
        if isinstance(record, dict) and not record.get("uuid"):
            record["uuid"] = str(uuid.uuid5(base, f"record/{index}"))
    return event


def misp_to_stix(events: list[dict[str, Any]]) -> MispImport:
    """Convert MISP events with misp-stix; account for every attribute."""
    events = [_with_uuids(event) for event in events]
    parser = MISPtoSTIX21Parser()
    parser._parse_json_content([{"Event": event} for event in events])
    objects = [json.loads(obj.serialize()) for obj in parser.stix_objects]
    named = {str(obj["id"]).split("--", 1)[1] for obj in objects}
    result = MispImport(objects=objects, events=len(events))
    for event in events:
        for kind, owner in _attribute_owners(event):
            result.attributes += 1
            if owner not in named:
                result.not_converted[kind] += 1
    result.messages = _messages(parser)
    return result


def stix_to_misp(objects: list[dict[str, Any]], title: str | None = None) -> MispExport:
    """One MISP event from STIX objects, through misp-stix's STIX → MISP parser."""
    bundle = load_stix2_content(
        {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects}
    )
    from_misp = bool(is_stix2_from_misp(bundle.objects))
    parser_class, args = get_stix2_parser(
        from_misp, 0, None, title, None, False, False, True, None, 0, None
    )
    parser = parser_class()
    parser.load_stix_bundle(bundle)
    parser.parse_stix_bundle(**args)
    event = json.loads(parser.misp_event.to_json())
    inner = event.get("Event", event)
    attributes = len(inner.get("Attribute", []))
    attributes += sum(len(o.get("Attribute", [])) for o in inner.get("Object", []))
    converted = {str(a.get("uuid")) for a in inner.get("Attribute", [])}
    converted |= {str(o.get("uuid")) for o in inner.get("Object", [])}
    export = MispExport(event=event, attributes=attributes, objects=len(inner.get("Object", [])))
    for obj in objects:
        if obj.get("type") == "indicator" and obj["id"].split("--", 1)[1] not in converted:
            export.not_converted[str(obj["type"])] += 1
    export.messages = _messages(parser)
    return export


def _messages(parser: Any) -> list[str]:
    found: list[str] = []
    for attribute in ("errors", "warnings"):
        value = getattr(parser, attribute, None) or {}
        items = value.values() if isinstance(value, dict) else [value]
        for item in items:
            found.extend(
                str(message) for message in (item if isinstance(item, list | set) else [item])
            )
    return found
