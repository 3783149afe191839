"""The release checklist that needs no build: modules stay small, the changelog's newest
entry is this version."""

from __future__ import annotations

import re
from pathlib import Path

import liaison

REPO = Path(__file__).resolve().parents[2]
MAX_LINES = 400


def test_no_module_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(REPO)): count
        for path in sorted((REPO / "src/liaison").rglob("*.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"split these modules by responsibility (over {MAX_LINES} lines): {long}"


def test_the_newest_changelog_entry_is_this_version() -> None:
    versions = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", (REPO / "CHANGELOG.md").read_text(), re.M)
    assert versions, "CHANGELOG.md has no '## [X.Y.Z]' entries"
    assert versions[0] == liaison.__version__
    assert versions == sorted(versions, key=lambda v: tuple(map(int, v.split("."))), reverse=True)
