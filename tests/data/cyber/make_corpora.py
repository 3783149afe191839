"""Rebuild the cyber corpora in this folder (run once; the outputs are committed).

- attack-ics-18.1-slice.json: 200 objects of MITRE ATT&CK for ICS 18.1
  (github.com/mitre-attack/attack-stix-data, ics-attack/ics-attack-18.1.json), every
  object type represented, in source order. Licence: LICENSE-mitre-attack.txt.
- misp-stix-*.json: misp-stix's own STIX 2.1 test bundles (github.com/MISP/misp-stix,
  tests/*_stix21.json) and misp-stix's conversion of its MISP test events (tests/*_1.json,
  through MISPtoSTIX21Parser: relationships with UUIDv5 ids). misp-*.json: those MISP
  events. Licence: LICENSE-misp-stix.txt (BSD-2-Clause).
- opencti-style.json: written here with stix2 and OpenCTI's deterministic ids (UUIDv5 in
  OpenCTI's namespace over the id-contributing properties, as pycti's generate_id does).
  It is not an export from a running OpenCTI.

Usage: python tests/data/cyber/make_corpora.py ICS_JSON MISP_STIX_TESTS_DIR
"""

from __future__ import annotations

import json
import sys
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from misp_stix_converter import MISPtoSTIX21Parser  # type: ignore[import-untyped]

HERE = Path(__file__).parent
OPENCTI_NS = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
STAMP = "2025-11-03T09:15:00.000Z"


def _dump(name: str, objects: list[dict[str, Any]]) -> None:
    bundle = {"type": "bundle", "id": f"bundle--{uuid.uuid5(OPENCTI_NS, name)}", "objects": objects}
    (HERE / name).write_text(json.dumps(bundle, separators=(",", ":"), ensure_ascii=False) + "\n")


def attack_slice(path: Path, size: int = 200) -> None:
    objects = json.loads(path.read_text())["objects"]
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for obj in objects:
        by_type[obj["type"]].append(obj)
    chosen: list[dict[str, Any]] = []
    while len(chosen) < size and any(by_type.values()):
        for kind in sorted(by_type):
            if by_type[kind] and len(chosen) < size:
                chosen.append(by_type[kind].pop(0))
    _dump("attack-ics-18.1-slice.json", chosen)


def misp_stix(tests: Path) -> None:
    for name in ("event1", "events_collection", "attributes_collection", "objects_collection"):
        bundle = json.loads((tests / f"test_{name}_stix21.json").read_text())
        _dump(f"misp-stix-{name}.json", bundle["objects"])
    converted: list[dict[str, Any]] = []
    for name in ("events_collection_1", "events_collection_2", "objects_collection_1"):
        document = json.loads((tests / f"test_{name}.json").read_text())
        (HERE / f"misp-{name}.json").write_text(json.dumps(document, indent=1) + "\n")
        parser = MISPtoSTIX21Parser()
        parser._parse_json_content(document)
        converted.extend(json.loads(obj.serialize()) for obj in parser.stix_objects)
    seen: set[tuple[str, str]] = set()
    unique = []
    for obj in converted:
        key = (obj["id"], obj.get("modified", ""))
        if key not in seen:
            seen.add(key)
            unique.append(obj)
    _dump("misp-stix-converted.json", unique)


def _octi_id(kind: str, **props: Any) -> str:
    data = json.dumps(props, sort_keys=True, separators=(",", ":"))
    return f"{kind}--{uuid.uuid5(OPENCTI_NS, data)}"


def _sdo(kind: str, key: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": _octi_id(kind, **key),
        "created": STAMP,
        "modified": STAMP,
        **props,
    }


def opencti() -> None:
    org = _sdo(
        "identity",
        {"name": "cert-demo", "identity_class": "organization"},
        name="CERT-Demo",
        identity_class="organization",
    )
    actor = _sdo(
        "intrusion-set", {"name": "ember bear"}, name="Ember Bear", created_by_ref=org["id"]
    )
    malware = _sdo(
        "malware",
        {"name": "whispergate"},
        name="WhisperGate",
        is_family=True,
        created_by_ref=org["id"],
    )
    pattern = "[file:hashes.'SHA-256' = '" + "a1b2" * 16 + "']"
    ind = _sdo(
        "indicator",
        {"pattern": pattern},
        name="WhisperGate stage 1",
        pattern=pattern,
        pattern_type="stix",
        valid_from=STAMP,
        indicator_types=["malicious-activity"],
        created_by_ref=org["id"],
    )
    ip_pattern = "[ipv4-addr:value = '198.51.100.23']"
    ind2 = _sdo(
        "indicator",
        {"pattern": ip_pattern},
        name="C2 198.51.100.23",
        pattern=ip_pattern,
        pattern_type="stix",
        valid_from=STAMP,
    )
    vuln = _sdo("vulnerability", {"name": "cve-2021-44228"}, name="CVE-2021-44228")
    objects = [org, actor, malware, ind, ind2, vuln]
    for source, kind, target in (
        (actor, "uses", malware),
        (ind, "indicates", malware),
        (ind2, "indicates", actor),
        (malware, "targets", vuln),
    ):
        objects.append(
            _sdo(
                "relationship",
                {"relationship_type": kind, "source_ref": source["id"], "target_ref": target["id"]},
                relationship_type=kind,
                source_ref=source["id"],
                target_ref=target["id"],
            )
        )
    objects.append(
        _sdo(
            "report",
            {"name": "whispergate wave", "published": STAMP},
            name="WhisperGate wave",
            published=STAMP,
            report_types=["threat-report"],
            object_refs=[o["id"] for o in objects],
            created_by_ref=org["id"],
        )
    )
    _dump("opencti-style.json", objects)


if __name__ == "__main__":
    attack_slice(Path(sys.argv[1]))
    misp_stix(Path(sys.argv[2]))
    opencti()
