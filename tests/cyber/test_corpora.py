"""Our write-path validation and the OASIS validator agree on every object of real
corpora: ATT&CK for ICS, misp-stix's bundles and conversions, an OpenCTI-style export
with UUIDv5 ids. What the validator only warns about is a warning here too."""

from __future__ import annotations

import uuid

import pytest
from stix2validator import ValidationOptions, validate_instance

from liaison.cyber.validate import StixInvalid, check
from tests.cyber.corpora import BUNDLES, objects_of

ORACLE = ValidationOptions(version="2.1")


@pytest.mark.parametrize("bundle", BUNDLES)
def test_agrees_with_the_oasis_validator(bundle: str) -> None:
    disagreements = []
    uuid_warnings = 0
    for obj in objects_of(bundle):
        result = validate_instance(obj, ORACLE)
        try:
            ours = check(obj)
        except StixInvalid as exc:
            if result.is_valid:
                disagreements.append(f"{obj['id']}: we refuse ({exc}), the validator accepts")
            continue
        if not result.is_valid:
            disagreements.append(f"{obj['id']}: we accept, the validator refuses")
            continue
        theirs = [w for w in result.warnings if "{103}" in str(w)]
        mine = [w for w in ours.warnings if w.startswith("id:")]
        assert bool(theirs) == bool(mine), obj["id"]
        uuid_warnings += len(mine)
    assert disagreements == []
    if bundle in ("opencti-style.json", "misp-stix-converted.json"):
        assert uuid_warnings > 0  # the UUIDv5 ids are there, and only warned about


def test_uuid5_relationship_is_valid_with_a_warning() -> None:
    """misp-stix names relationships by UUIDv5: valid STIX, a SHOULD finding."""
    rel = next(o for o in objects_of("misp-stix-converted.json") if o["type"] == "relationship")
    assert uuid.UUID(rel["id"].split("--")[1]).version == 5
    checked = check(rel)
    assert checked.warnings == ("id: the UUID SHOULD be version 4 (random), not 5",)


def test_a_process_with_a_uuid5_is_refused_like_the_validator() -> None:
    process = {
        "type": "process",
        "spec_version": "2.1",
        "id": f"process--{uuid.uuid5(uuid.NAMESPACE_URL, 'p')}",
        "pid": 4,
    }
    assert not validate_instance(process, ORACLE).is_valid
    with pytest.raises(StixInvalid, match="UUIDv4"):
        check(process)
