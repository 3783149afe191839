"""No party is hard-coded in rule, federation or page code: a party code is data (seed
data, rule packs, the directory, ``policy/vocab.toml``), so a third party is a data
change. The seed data, the Ottawa workplan's version 1 and the synthetic network
generator are data written as Python and may name parties."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import liaison

SOURCE = Path(liaison.__file__).parent
PARTY_CODES = {"CA", "IN", "US"}
# Data written as Python (one file each), allowed to name parties.
DATA_MODULES = re.compile(
    r"(^|/)(seed|seed_data)\.py$|^workplan/baseline\.py$|^networks/synthetic\.py$"
)
TEMPLATE_LITERAL = re.compile(r"""["'](CA|IN|US)["']""")


def _party_literals(path: Path) -> list[tuple[int, str]]:
    """(line, literal) where a string literal is exactly a party code: ``"IN"``, not
    ``"e.g. IN"`` (documentation may give examples)."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text("utf-8")).readline)
    return [
        (token.start[0], token.string)
        for token in tokens
        if token.type == tokenize.STRING and token.string.strip("\"'") in PARTY_CODES
    ]


def test_no_party_code_is_a_literal_in_code_outside_seed_data() -> None:
    modules = [
        path
        for path in sorted(SOURCE.rglob("*.py"))
        if not DATA_MODULES.search(path.relative_to(SOURCE).as_posix())
    ]
    assert len(modules) > 200  # the scan reads the package, not an empty folder
    found = [
        f"{path.relative_to(SOURCE)}:{line}: {literal}"
        for path in modules
        for line, literal in _party_literals(path)
    ]
    assert found == []


def test_no_party_code_is_a_literal_in_templates() -> None:
    templates = sorted((SOURCE / "web" / "templates").rglob("*.html"))
    assert templates
    found = [
        f"{path.relative_to(SOURCE)}:{n}"
        for path in templates
        for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if TEMPLATE_LITERAL.search(line)
    ]
    assert found == []


def test_the_scan_finds_a_hard_coded_party(tmp_path: Path) -> None:
    """The check itself: a rule written against one party is caught."""
    rule = tmp_path / "rule.py"
    rule.write_text('def applies(party: str) -> bool:\n    return party == "IN"\n')
    assert _party_literals(rule) == [(2, '"IN"')]
    note = tmp_path / "note.py"
    note.write_text('HELP = "a code such as IN or CA"\n')
    assert _party_literals(note) == []
