"""Cross-script name keys, dates of birth, and clustering that keeps analysts' decisions."""

from __future__ import annotations

import pytest

from liaison.networks import names
from liaison.networks.cluster import cluster


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Gurpreet Singh Sandhu", "गुरप्रीत सिंह संधू"),
        ("Gurpreet Singh Sandhu", "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ ਸੰਧੂ"),
        ("Gurpreet Singh Sandhu", "Gurprit Sandhoo"),
        ("Harvinder Kaur", "ਹਰਵਿੰਦਰ ਕੌਰ"),
        ("Rajesh Kumar Sharma", "राजेश शर्मा"),
        ("Bhupinder Dhillon", "Bupinder Dillon"),
        ("Jaswinder Grewal", "Jasvinder Grewal"),
    ],
)
def test_one_name_in_any_script_or_spelling_has_one_key(one: str, other: str) -> None:
    assert names.skeleton(one) == names.skeleton(other)


def test_different_names_keep_different_keys() -> None:
    assert names.skeleton("Gurpreet Sandhu") != names.skeleton("Harpreet Sandhu")
    assert names.skeleton("Manjit Gill") != names.skeleton("Manjit Sidhu")


def test_sex_from_the_name_and_dates() -> None:
    assert names.sex("Harpreet Kaur Gill") == "f"
    assert names.sex("ਹਰਪ੍ਰੀਤ ਸਿੰਘ") == "m"
    assert names.sex("Harpreet Gill") == ""
    assert names.dob_parts("1988") == ("", "1988")
    assert names.dob_parts("1988-11-02") == ("1988-11-02", "1988")
    assert names.swapped("1988-11-02") == "1988-02-11"
    assert names.swapped("1988-11-25") == ""


def test_clusters_keep_splits_confirmations_and_do_not_chain_dates() -> None:
    pairs = [("a", "b", 20.0), ("b", "c", 15.0), ("c", "d", 3.0)]
    mapping, _ = cluster("abcd", pairs)
    assert len(set(mapping.values())) == 1
    # the analyst split c from b: c (and d with it) stay apart from a and b
    mapping, _ = cluster("abcd", pairs, apart=[("c", "b")])
    assert mapping["a"] == mapping["b"] != mapping["c"] == mapping["d"]
    # confirmed, whatever the scores
    mapping, _ = cluster("abcd", [], same=[("a", "d")])
    assert mapping["a"] == mapping["d"] != mapping["b"]
    # a year-only record matching two people born on different days joins only one
    dobs = {"x": "1985-03-01", "y": "1985-07-09", "z": ""}
    mapping, _ = cluster("xyz", [("z", "x", 5.0), ("z", "y", 4.0)], dobs=dobs)
    assert mapping["z"] == mapping["x"] != mapping["y"]
