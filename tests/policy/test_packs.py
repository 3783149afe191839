"""Bad rule packs are refused on load with a message naming the rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from liaison.policy.engine import Engine
from liaison.policy.packs import PackRefused, parse_pack, shipped_packs, shipped_sources

GOOD_RULE = """
[[rule]]
id = "test.block_red"
description = "No TLP:RED outbound in the test pack"
citation = "Test Act s. 1"
explanation = "TLP:{tlp} may not leave."
effect = "block"
when = \'\'\'context.direction == "outbound" && context.tlp == "RED"\'\'\'
"""

HEADER = 'pack = "CA"\nversion = "9.0"\ntitle = "Test pack"\n'


def refused(source: str) -> str:
    with pytest.raises(PackRefused) as caught:
        parse_pack(source)
    return str(caught.value)


def test_shipped_packs_are_valid_and_cite_every_rule() -> None:
    packs = shipped_packs()
    assert {p.pack for p in packs} == {"CA", "IN", "CA-IN"}
    for pack in packs:
        for rule in pack.rules:
            assert rule.citation, rule.id
            assert rule.excerpt, rule.id


def test_a_good_pack_loads() -> None:
    pack = parse_pack(HEADER + GOOD_RULE)
    assert [r.id for r in pack.rules] == ["test.block_red"]


def test_toml_syntax_error_is_refused() -> None:
    assert "not valid TOML" in refused(HEADER + GOOD_RULE.replace('effect = "block"', "effect = "))


def test_cedar_syntax_error_names_the_rule() -> None:
    bad = GOOD_RULE.replace('context.tlp == "RED"', 'context.tlp == "RED" &&')
    message = refused(HEADER + bad)
    assert message.startswith("rule test.block_red: the condition does not parse")


def test_unknown_attribute_names_the_rule_and_the_attribute() -> None:
    bad = GOOD_RULE.replace("context.tlp", "context.traffic_light")
    message = refused(HEADER + bad)
    assert "rule test.block_red" in message
    assert "traffic_light" in message


def test_type_error_in_condition_is_refused() -> None:
    bad = GOOD_RULE.replace('context.tlp == "RED"', "context.contains_personal_data > 3")
    assert "rule test.block_red" in refused(HEADER + bad)


def test_missing_citation_names_the_rule() -> None:
    bad = GOOD_RULE.replace('citation = "Test Act s. 1"\n', "")
    message = refused(HEADER + bad)
    assert message.startswith("rule test.block_red: citation")


def test_unknown_placeholder_in_explanation_is_refused() -> None:
    bad = GOOD_RULE.replace("TLP:{tlp}", "TLP:{colour}")
    assert "rule test.block_red: explanation names unknown" in refused(HEADER + bad)


def test_duplicate_rule_id_is_refused() -> None:
    message = refused(HEADER + GOOD_RULE + GOOD_RULE)
    assert message == "rule test.block_red: the id is used twice (packs CA and CA)"


def test_block_and_obligation_on_the_same_condition_conflict() -> None:
    twin = (
        GOOD_RULE.replace("test.block_red", "test.review_red")
        .replace('effect = "block"', 'effect = "obligation"')
        .replace(
            "when = '''context.direction == \"outbound\" && context.tlp == \"RED\"'''",
            "when = '''context.direction == \"outbound\"  &&  context.tlp == \"RED\"'''\n"
            '[rule.obligation]\nkind = "legal_review"\ndetail = "review it"',
        )
    )
    message = refused(HEADER + GOOD_RULE + twin)
    assert message.startswith("rule test.review_red: conflicts with rule test.block_red")


def test_obligation_without_obligation_table_is_refused() -> None:
    bad = GOOD_RULE.replace('effect = "block"', 'effect = "obligation"')
    assert "rule test.block_red: an obligation rule needs" in refused(HEADER + bad)


def test_rule_id_clashing_with_another_active_pack_is_refused() -> None:
    clash = GOOD_RULE.replace("test.block_red", "ca.non_refoulement")
    other = parse_pack(HEADER.replace('"CA"', '"IN"') + clash)
    with pytest.raises(PackRefused, match=r"rule ca\.non_refoulement: the id is used twice"):
        Engine((*[p for p in shipped_packs() if p.pack != "IN"], other))


def test_shipped_sources_are_toml_files() -> None:
    assert set(shipped_sources()) == {"ca.toml", "in.toml", "ca-in.toml"}


def test_condition_smuggling_a_second_policy_is_refused() -> None:
    bad = GOOD_RULE.replace(
        'context.tlp == "RED"',
        'context.tlp == "RED" }; permit(principal, action, resource) when { true',
    )
    assert refused(HEADER + bad).startswith("rule test.block_red: a condition reads context only")


def test_condition_reading_the_principal_is_refused() -> None:
    bad = GOOD_RULE.replace('context.tlp == "RED"', 'principal == Party::"CA"')
    assert "rule test.block_red: a condition reads context only" in refused(HEADER + bad)


def test_the_word_principal_inside_a_string_is_fine() -> None:
    ok = GOOD_RULE.replace('context.tlp == "RED"', 'context.purpose == "principal witness"')
    assert parse_pack(HEADER + ok).rules[0].id == "test.block_red"


def test_the_guide_says_where_each_fact_of_each_shipped_rule_comes_from() -> None:
    """docs/policy.md's table rule -> facts -> where each fact comes from in a real item
    has a row for every rule of every shipped pack."""
    guide = (Path(__file__).parents[2] / "docs" / "policy.md").read_text(encoding="utf-8")
    table = guide[guide.index("| rule | facts (Cedar `context`) |") :]
    rows = table[: table.index("\n\n")].splitlines()[2:]
    named = {rule for row in rows for rule in re.findall(r"`([a-z_.]+)`", row.split("|")[1])}
    shipped = {rule.id for pack in shipped_packs() for rule in pack.rules}
    assert not shipped - named, f"rules missing from the facts table: {sorted(shipped - named)}"
