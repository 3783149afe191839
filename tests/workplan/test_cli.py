"""``liaison workplan`` as an operator runs it (real subprocesses, SQLite node)."""

from __future__ import annotations

import json
from pathlib import Path

from pypdf import PdfReader

from liaison.workplan.baseline import version_one
from liaison.workplan.document import canonical, sha256_of
from tests.support.nodes import liaison
from tests.support.workplan_trio import PLAN


def test_report_and_show_and_the_empty_plan(tmp_path: Path) -> None:
    node = tmp_path / "node"
    assert liaison(node, "init").returncode == 0
    # A node with no workplan: the report says why there is nothing, and writes nothing.
    target = tmp_path / "report.pdf"
    empty = liaison(node, "workplan", "report", "--format", "pdf", "-o", str(target))
    assert empty.returncode == 1
    assert "no actions yet, so there is nothing to report" in empty.stderr
    assert not target.exists()

    assert liaison(node, "seed", "--demo").returncode == 0
    shown = liaison(node, "workplan", "show")
    assert shown.returncode == 0, shown.stderr
    assert sha256_of(canonical(version_one())) in shown.stdout
    assert "signed by: none yet" in shown.stdout

    written = liaison(node, "workplan", "report", "--format", "pdf", "-o", str(target))
    assert written.returncode == 0, written.stderr
    assert "wrote the joint report (pdf" in written.stdout
    text = "\n".join(page.extract_text() for page in PdfReader(target).pages)
    assert "Joint progress report" in text
    assert "Transnational organised crime" in text
    internal = tmp_path / "internal.md"
    assert (
        liaison(
            node, "workplan", "report", "--format", "md", "--internal", "-o", str(internal)
        ).returncode
        == 0
    )
    assert internal.read_text().startswith("# India\N{EN DASH}Canada shared workplan")
    assert "**Internal progress report**" in internal.read_text()


def test_adopt_reads_the_plan_file_and_says_what_is_wrong(tmp_path: Path) -> None:
    node = tmp_path / "node"
    assert liaison(node, "init").returncode == 0
    garbled = tmp_path / "garbled.json"
    garbled.write_text("{not json")
    refused = liaison(node, "workplan", "adopt", str(garbled))
    assert refused.returncode == 2
    assert "PLAN" in refused.stderr
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN))
    # A fresh node knows no agencies yet: the leads are checked against its directory.
    unknown = liaison(node, "workplan", "adopt", str(plan))
    assert unknown.returncode == 1
    assert "'RCMP' is not a known agency of CA" in unknown.stderr
