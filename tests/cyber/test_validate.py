"""The fast write-path validation agrees with the OASIS stix2-validator (the oracle)."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import pytest
from stix2validator import ValidationError, ValidationOptions, validate_instance

from liaison.cyber.tlp import MARKING_FOR, Tlp, tlp_of
from liaison.cyber.validate import StixInvalid, check
from tests.cyber.stix import STAMP, indicator

ORACLE = ValidationOptions(version="2.1")


def _sdo(kind: str, **props: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": f"{kind}--{uuid.uuid4()}",
        "created": STAMP,
        "modified": STAMP,
        **props,
    }


IDENTITY = _sdo("identity", name="CERT-In", identity_class="organization")
VALID: dict[str, dict[str, Any]] = {
    "indicator": indicator(1),
    "indicator marked TLP:RED": indicator(2, tlp=Tlp.RED),
    "indicator with a complex pattern": indicator(
        3, pattern="[ipv4-addr:value = '1.2.3.4'] AND [domain-name:value = 'evil.example']"
    ),
    "indicator with a file hash": indicator(
        4, pattern="[file:hashes.'SHA-256' = '" + "ab" * 32 + "']"
    ),
    "indicator with a custom property": indicator(5, x_liaison_case="C-1"),
    "identity": IDENTITY,
    "malware family": _sdo("malware", name="LockBit", is_family=True),
    "malware sample": _sdo("malware", is_family=False),
    "threat actor": _sdo("threat-actor", name="APT-X"),
    "attack pattern": _sdo("attack-pattern", name="Spearphishing"),
    "vulnerability": _sdo("vulnerability", name="CVE-2026-0001"),
    "report": _sdo("report", name="Weekly", published=STAMP, object_refs=[IDENTITY["id"]]),
    "note": _sdo("note", content="seen in CA", object_refs=[IDENTITY["id"]]),
    "relationship": _sdo(
        "relationship",
        relationship_type="attributed-to",
        source_ref=f"threat-actor--{uuid.uuid4()}",
        target_ref=IDENTITY["id"],
    ),
    "sighting": _sdo("sighting", sighting_of_ref=f"indicator--{uuid.uuid4()}"),
    "ipv4 address": {
        "type": "ipv4-addr",
        "spec_version": "2.1",
        "id": f"ipv4-addr--{uuid.uuid4()}",
        "value": "203.0.113.9",
    },
    "domain name": {
        "type": "domain-name",
        "id": f"domain-name--{uuid.uuid4()}",
        "value": "evil.example",
    },
    "revoked indicator": indicator(6, revoked=True),
    "created by an identity": indicator(7, created_by_ref=IDENTITY["id"], confidence=80),
}


def _broken(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    obj = copy.deepcopy(base)
    for key, value in changes.items():
        if value is None:
            obj.pop(key, None)
        else:
            obj[key] = value
    return obj


INVALID: dict[str, dict[str, Any]] = {
    "no id": _broken(indicator(1), id=None),
    "id of another type": _broken(indicator(1), id=f"malware--{uuid.uuid4()}"),
    "id not a UUID": _broken(indicator(1), id="indicator--1234"),
    "SDO id with a UUIDv7": _broken(
        indicator(1), id="indicator--0190a000-0000-7000-8000-000000000000"
    ),
    "uppercase type": _broken(indicator(1), type="Indicator"),
    "no created": _broken(indicator(1), created=None),
    "created without milliseconds": _broken(indicator(1), created="2026-02-07T10:00:00Z"),
    "modified without time zone": _broken(indicator(1), modified="2026-02-07T10:00:00.000"),
    "modified before created": _broken(indicator(1), modified="2025-01-01T00:00:00.000Z"),
    "no spec_version": _broken(indicator(1), spec_version=None),
    "no pattern": _broken(indicator(1), pattern=None),
    "pattern not STIX": _broken(indicator(1), pattern="ipv4 is 1.2.3.4"),
    "pattern unbalanced": _broken(indicator(1), pattern="[ipv4-addr:value = "),
    "no valid_from": _broken(indicator(1), valid_from=None),
    "valid_until before valid_from": _broken(indicator(1), valid_until="2020-01-01T00:00:00Z"),
    "revoked not a boolean": _broken(indicator(1), revoked="yes"),
    "confidence over 100": _broken(indicator(1), confidence=101),
    "indicator_types not a list": _broken(indicator(1), indicator_types="malicious-activity"),
    "malware family without a name": _sdo("malware", is_family=True),
    "threat actor without a name": _sdo("threat-actor"),
    "relationship without a target": _broken(VALID["relationship"], target_ref=None),
    "report without object_refs": _broken(VALID["report"], object_refs=None),
    "ipv4 address without a value": {"type": "ipv4-addr", "id": f"ipv4-addr--{uuid.uuid4()}"},
    "created_by_ref not an identifier": indicator(1, created_by_ref="CERT-In"),
}


def _oracle_ok(obj: dict[str, Any]) -> bool:
    try:
        return bool(validate_instance(obj, ORACLE).is_valid)
    except ValidationError:  # the oracle refuses objects without id or type outright
        return False


def _fast_ok(obj: dict[str, Any]) -> bool:
    try:
        check(obj)
    except StixInvalid:
        return False
    return True


@pytest.mark.parametrize("name", sorted(VALID))
def test_valid_objects_pass_both(name: str) -> None:
    obj = VALID[name]
    assert _oracle_ok(obj), name
    assert _fast_ok(obj), name


@pytest.mark.parametrize("name", sorted(INVALID))
def test_invalid_objects_fail_both(name: str) -> None:
    obj = INVALID[name]
    assert not _oracle_ok(obj), name
    with pytest.raises(StixInvalid) as refused:
        check(obj)
    assert str(refused.value)  # names the property


def test_stricter_than_the_oracle_on_marking_references() -> None:
    """The oracle accepts any identifier in object_marking_refs; the store wants markings."""
    obj = indicator(1, object_marking_refs=[f"identity--{uuid.uuid4()}"])
    assert validate_instance(obj, ORACLE).is_valid
    with pytest.raises(StixInvalid, match="object_marking_refs"):
        check(obj)


def test_tlp_from_tlp2_and_tlp1_markings() -> None:
    assert tlp_of([MARKING_FOR[Tlp.AMBER_STRICT]]) is Tlp.AMBER_STRICT
    tlp1_red = "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"
    tlp1_white = "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"
    assert tlp_of([tlp1_white]) is Tlp.CLEAR
    assert tlp_of([tlp1_white, tlp1_red]) is Tlp.RED  # the strictest wins
    assert tlp_of([]) is None
