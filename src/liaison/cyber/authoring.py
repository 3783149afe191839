"""Analysts adding and revoking STIX objects by hand (the web pages): a STIX object as
JSON, or an indicator from a short form. Both go through the one write path (validated
with the same validator as TAXII, versioned, marked, shared with the collection's
peers) and are audited; a refusal names the field to change."""

from __future__ import annotations

import json
import uuid
from typing import Any

from pydantic import Field

from liaison.cyber.service import CyberService
from liaison.cyber.store import Stored, format_timestamp
from liaison.cyber.tlp import MARKING_FOR, Tlp
from liaison.kit import clock
from liaison.kit.errors import ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.inputs import InputModel
from liaison.kit.plugin import N_
from liaison.ledger.service import trail

OBJECT_TYPE = "cyber.object"
MAX_JSON = 200_000


class IndicatorCreate(InputModel):
    """The simple form: what an analyst knows about an indicator of compromise."""

    name: str = Field(min_length=1, max_length=250)
    pattern: str = Field(min_length=3, max_length=4000)
    tlp: Tlp = Tlp.AMBER
    description: str = Field(default="", max_length=4000)


class ObjectJson(InputModel):
    """The other form: one STIX 2.1 object, pasted as JSON."""

    stix: str = Field(min_length=2, max_length=MAX_JSON)


def indicator(data: IndicatorCreate) -> dict[str, Any]:
    """A STIX 2.1 indicator (a new id, valid from now) marked with the chosen TLP."""
    now = format_timestamp(clock.now())[:23] + "Z"
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--{uuid.uuid4()}",
        "created": now,
        "modified": now,
        "name": data.name,
        "indicator_types": ["malicious-activity"],
        "pattern": data.pattern,
        "pattern_type": "stix",
        "valid_from": now,
        "object_marking_refs": [MARKING_FOR[data.tlp]],
    }
    if data.description:
        obj["description"] = data.description
    return obj


def parse(data: ObjectJson) -> dict[str, Any]:
    try:
        obj = json.loads(data.stix)
    except json.JSONDecodeError as exc:
        raise ValidationFailed.on_field(
            "stix",
            Text(
                N_("not JSON: %(msg)s (line %(lineno)s, column %(colno)s)"),
                msg=exc.msg,
                lineno=exc.lineno,
                colno=exc.colno,
            ),
        ) from exc
    if not isinstance(obj, dict):
        raise ValidationFailed.on_field("stix", N_("paste one STIX object: a JSON object { … }"))
    if obj.get("type") == "bundle":
        raise ValidationFailed.on_field(
            "stix", N_("this is a bundle: paste one object, or import bundles with TAXII")
        )
    return obj


def add(service: CyberService, collection_id: str, obj: dict[str, Any], field: str) -> Stored:
    """Write one object; a refusal (invalid STIX, an older version) is a form error on
    ``field``. Audited with the object's id, type, version and marking."""
    result = service.write(collection_id, [obj])
    if not result.stored:
        message = result.refusals[0] if result.refusals else N_("not stored")
        raise ValidationFailed.on_field(field, message)
    stored = result.stored[0]
    trail(
        service.db,
        service.caller,
        "cyber.object.added",
        OBJECT_TYPE,
        stored.stix_id,
        collection=collection_id,
        version=stored.version,
        tlp=stored.tlp.value,
        note=result.notes.get(stored.stix_id, ""),
    )
    return stored


def revoke(service: CyberService, collection_id: str, stix_id: str) -> Stored:
    """A new version with ``revoked: true`` (sent to the collection's peers); audited."""
    stored = service.revoke(collection_id, stix_id)
    trail(
        service.db,
        service.caller,
        "cyber.object.revoked",
        OBJECT_TYPE,
        stix_id,
        collection=collection_id,
        version=stored.version,
        tlp=stored.tlp.value,
    )
    return stored
