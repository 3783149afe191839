"""``liaison cyber ...`` in process: collections, grants, STIX and MISP import, export, revoke."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pymisp import MISPEvent
from stix2validator import ValidationOptions, validate_instance
from typer.testing import CliRunner, Result

from liaison.cli.main import app
from liaison.cyber.tlp import Tlp, tlp_of
from liaison.kit import cli as kit_cli
from tests.cyber.corpora import objects_of
from tests.cyber.misp import misp_event
from tests.cyber.stix import indicator

MISP_EVENT = {
    "Event": {
        "info": "Phishing wave against Canadian tax payers",
        "timestamp": "1770458400",
        "Tag": [{"name": "tlp:green"}],
        "Attribute": [
            {
                "type": "domain",
                "value": "cra-refund.example",
                "to_ids": True,
                "category": "Network activity",
                "uuid": "5a3c2b1d-0e9f-4a8b-9c7d-6e5f4a3b2c1d",
            },
            {
                "type": "ip-dst",
                "value": "192.0.2.44",
                "to_ids": True,
                "category": "Network activity",
            },
            {"type": "comment", "value": "not an indicator", "to_ids": False},
        ],
        "Object": [{"Attribute": [{"type": "sha256", "value": "ab" * 32, "to_ids": True}]}],
    }
}


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliRunner]:
    data_dir = tmp_path_factory.mktemp("cyber-cli")
    runner = CliRunner(
        env={
            "LIAISON_DATA_DIR": str(data_dir),
            "LIAISON_PARTY": "CA",
            "LIAISON_DATABASE_URL": "",
            "COLUMNS": "250",
        }
    )
    for args in (["init"], ["seed", "--demo"]):
        assert runner.invoke(app, args).exit_code == 0
    # The CLI's consoles are made once per process; with COLUMNS read from the runner's
    # environment they may still have a width fixed by whatever made them, and a table
    # narrower than its titles would cut them. The tests read the text at full width.
    with pytest.MonkeyPatch.context() as patch:
        for console in (kit_cli.console, kit_cli.err_console):
            patch.setattr(console, "_width", 250)
        yield runner


def run(cli: CliRunner, *args: str) -> Result:
    result = cli.invoke(app, ["cyber", *args])
    assert result.exit_code == 0, f"{args}: {result.output} {result.exception!r}"
    return result


def test_collections_import_export_and_revoke(cli: CliRunner, tmp_path: Path) -> None:
    created = run(
        cli, "collections", "create", "Joint phishing", "--agency", "CCCS", "--default-tlp", "GREEN"
    )
    collection = created.output.split("(")[-1].split(")")[0]
    assert "Joint phishing" in run(cli, "collections", "list").output
    granted = run(cli, "collections", "grant", collection, "user:ca-analyst", "--write")
    assert "user:CA:ca-analyst: read=True write=True" in granted.output

    good = [indicator(n) for n in range(3)]
    red = indicator(9, tlp=Tlp.RED)
    bad = indicator(5, pattern="not a pattern")
    bundle = tmp_path / "bundle.json"
    bundle.write_text(
        json.dumps(
            {
                "type": "bundle",
                "id": "bundle--6f0d1c5e-3a57-4a5e-9a55-5c1b0f7f4e21",
                "objects": [*good, red, bad],
            }
        )
    )
    imported = run(
        cli, "import", str(bundle), "--collection", collection, "--audience", "agency:CCCS"
    )
    assert "imported 4 object(s), skipped 1" in imported.output
    assert bad["id"] in imported.output

    misp = tmp_path / "misp.json"
    misp.write_text(json.dumps(MISP_EVENT))
    imported = run(cli, "import", str(misp), "--collection", collection).output
    # the MISP object without a template name cannot be loaded by PyMISP: reported
    assert "4 attribute(s) -> 12 STIX object(s)" in imported
    assert "not converted: sha256 x1" in imported
    assert "imported 12 object(s), skipped 0" in imported

    out = tmp_path / "export.json"
    run(cli, "export", "--collection", collection, "--output", str(out))
    exported = json.loads(out.read_text())
    assert exported["type"] == "bundle"
    patterns = {o.get("pattern") for o in exported["objects"]}
    assert "[domain-name:value = 'cra-refund.example']" in patterns
    # the console operator is in the RED object's audience (it imported it)
    assert len(exported["objects"]) == 16
    options = ValidationOptions(version="2.1")
    assert all(validate_instance(o, options).is_valid for o in exported["objects"])

    run(cli, "revoke", collection, good[0]["id"])
    listing = run(cli, "objects", collection).output
    line = next(row for row in listing.splitlines() if good[0]["id"] in row)
    assert "yes" in line
    failed = cli.invoke(app, ["cyber", "revoke", collection, good[0]["id"]])
    assert failed.exit_code != 0
    assert "already revoked" in str(failed.exception)


def test_misp_round_trip_through_misp_stix(cli: CliRunner, tmp_path: Path) -> None:
    """MISP event -> Liaison -> MISP JSON that PyMISP loads, every to_ids attribute kept."""
    created = run(cli, "collections", "create", "MISP round trip", "--agency", "CCCS")
    collection = created.output.split("(")[-1].split(")")[0]
    event = misp_event()
    source = tmp_path / "event.json"
    source.write_text(json.dumps({"response": [event]}))  # a MISP search result
    imported = run(cli, "import", str(source), "--collection", collection).output
    assert "8 attribute(s)" in imported
    assert "not converted: none" in imported
    assert "skipped 0" in imported

    out = tmp_path / "misp-out.json"
    exported = run(
        cli, "export", "--collection", collection, "--output", str(out), "--format", "misp"
    )
    assert "not converted: none" in exported.output
    loaded = MISPEvent()
    loaded.load_file(str(out))
    found = {a.uuid: a for a in loaded.attributes}
    found.update({a.uuid: a for o in loaded.objects for a in o.attributes})
    object_uuids = {o.uuid for o in loaded.objects}
    for attribute in event["Event"]["Attribute"]:
        if attribute["to_ids"]:
            kept = found.get(attribute["uuid"])
            assert kept is not None or attribute["uuid"] in object_uuids, attribute["type"]
            if kept is not None:
                assert kept.to_ids, attribute["type"]
                assert kept.type == attribute["type"]
    assert any(tag.name == "tlp:green" for tag in loaded.tags)


def test_misp_feed_manifest_imports_its_events(cli: CliRunner, tmp_path: Path) -> None:
    created = run(cli, "collections", "create", "MISP feed", "--agency", "CCCS")
    collection = created.output.split("(")[-1].split(")")[0]
    event = misp_event()
    event_uuid = event["Event"]["uuid"]
    (tmp_path / f"{event_uuid}.json").write_text(json.dumps(event))
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps({event_uuid: {"info": event["Event"]["info"], "timestamp": "1488326400"}})
    )
    imported = run(cli, "import", str(manifest), "--collection", collection).output
    assert "MISP: 1 event(s), 8 attribute(s)" in imported
    assert "skipped 0" in imported


def test_export_carries_the_stored_marking_for_every_default(
    cli: CliRunner, tmp_path: Path
) -> None:
    objects = objects_of("opencti-style.json")  # unmarked, UUIDv5 ids
    bundle = tmp_path / "opencti.json"
    bundle.write_text(
        json.dumps({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": objects})
    )
    for default in Tlp:
        created = run(
            cli, "collections", "create", f"Export {default}", "--default-tlp", default.value
        )
        collection = created.output.split("(")[-1].split(")")[0]
        imported = run(cli, "import", str(bundle), "--collection", collection).output
        assert f"imported {len(objects)} object(s), skipped 0, warnings {len(objects)}" in imported
        out = tmp_path / f"export-{default.name}.json"
        run(cli, "export", "--collection", collection, "--output", str(out))
        exported = json.loads(out.read_text())["objects"]
        assert len(exported) == len(objects)
        for obj in exported:
            assert tlp_of(obj.get("object_marking_refs")) is default, (default, obj["id"])
