"""``liaison policy`` as an administrator runs it: real subprocesses, real files."""

from __future__ import annotations

import json
from pathlib import Path

from liaison.policy.packs import shipped_packs, shipped_sources
from tests.policy.helpers import BASE
from tests.support.nodes import liaison

RED_RULE = """
[[rule]]
id = "ca.cli.no_red"
description = "TLP:RED stays home"
citation = "Test directive 2"
explanation = "TLP:{tlp} may not leave."
effect = "block"
when = \'\'\'context.sender_party == "CA" && context.tlp == "RED"\'\'\'
"""


def test_packs_load_refuse_activate_and_explain(tmp_path: Path) -> None:
    node = tmp_path / "node"
    assert liaison(node, "init").returncode == 0
    listed = liaison(node, "policy", "packs", "list")
    assert listed.returncode == 0
    versions = {p.pack: p.version for p in shipped_packs()}
    rows = [
        line
        for line in listed.stdout.splitlines()
        if any(f"│ {pack} " in line and version in line for pack, version in versions.items())
    ]
    assert len(rows) == 3
    assert all("active" in row for row in rows)

    base = shipped_sources()["ca.toml"].replace('version = "2026.12.1"', 'version = "2026.06"')
    bad = tmp_path / "bad.toml"
    bad.write_text(base + RED_RULE.replace("context.tlp", "context.colour"))
    refused = liaison(node, "policy", "packs", "load", str(bad))
    assert refused.returncode != 0
    assert "rule ca.cli.no_red" in refused.stderr
    assert "colour" in refused.stderr

    good = tmp_path / "good.toml"
    good.write_text(base + RED_RULE)
    loaded = liaison(node, "policy", "packs", "load", str(good), "--activate")
    assert loaded.returncode == 0, loaded.stderr
    assert "pack CA 2026.06 (8 rules) active" in loaded.stdout

    draft = tmp_path / "draft.json"
    draft.write_text(json.dumps(BASE | {"tlp": "RED"}))
    explained = liaison(node, "policy", "explain", str(draft))
    assert explained.returncode == 0, explained.stderr
    assert "effect: block" in explained.stdout
    assert "ca.cli.no_red [block] Test directive 2" in explained.stdout

    register = tmp_path / "register.csv"
    register.write_text(
        "name,date_of_birth,protection_status,feared_country,reference\n"
        "Harjit Singh,1985-03-01,refugee_claimant,IN,IRB-TB5-00001\n"
    )
    imported = liaison(node, "policy", "protected-persons", "import", str(register))
    assert imported.returncode == 0, imported.stderr
    assert "imported 1 entries; the register holds 1" in imported.stdout
    unmarked = tmp_path / "unmarked.json"
    unmarked.write_text(json.dumps(BASE | {"persons": [{"label": "harjit  SINGH"}]}))
    protected = liaison(node, "policy", "explain", str(unmarked))
    assert "ca.non_refoulement [block]" in protected.stdout
