"""Cross-script name keys, dates of birth, and clustering that keeps analysts' decisions."""

from __future__ import annotations

import pytest

from liaison.networks import names
from liaison.networks.cluster import cluster, markers_agree


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


def test_a_record_that_fits_two_people_equally_joins_neither() -> None:
    dobs = {"x": "1985-03-01", "y": "1985-07-09", "z": ""}
    mapping, _ = cluster("xyz", [("z", "x", 5.0), ("z", "y", 5.0)], dobs=dobs)
    assert len({mapping["x"], mapping["y"], mapping["z"]}) == 3
    # ... unless an analyst split it from one of them: then only the other is left
    mapping, _ = cluster("xyz", [("z", "x", 5.0), ("z", "y", 5.0)], apart=[("z", "y")], dobs=dobs)
    assert mapping["z"] == mapping["x"] != mapping["y"]
    # a pair below the match weight joins nothing, but still counts as another candidate
    mapping, _ = cluster("xyz", [("z", "x", 1.0), ("z", "y", 0.5)], dobs=dobs)
    assert len(set(mapping.values())) == 3


def test_a_record_without_a_marker_does_not_chain_a_singh_to_a_kumar() -> None:
    markers = {"a": ["singh"], "b": [], "c": ["kumar"]}
    mapping, _ = cluster("abc", [("a", "b", 12.0), ("b", "c", 9.0)], markers=markers)
    assert mapping["a"] == mapping["b"] != mapping["c"]


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Manpreet Seengh Bains", "Manpreet Bains"),  # Singh spelt with ee
        ("Gurdeep Kmuar Dhillon", "गुरदीप कुमार ढिल्लोन"),  # Kumar with two letters swapped
        ("Harpreet Koomar Sidhu", "ਹਰਪ੍ਰੀਤ ਕੁਮਾਰ ਸਿਧੂ"),
        ("Simran Kour Gill", "ਸਿਮਰਨ ਕੌਰ ਗਿੱਲ"),
    ],
)
def test_a_family_marker_in_any_spelling_is_one_marker(one: str, other: str) -> None:
    assert names.skeleton(one) == names.skeleton(other)


def test_markers_and_the_surnames_that_look_like_them() -> None:
    assert names.markers("Manpreet Seengh Bains") == ["singh"]
    assert names.markers("Gurdeep Kmuar Dhillon") == names.markers("Harpreet Koomar") == ["kumar"]
    assert names.markers("Rajesh Kumar Singh") == ["kumar", "singh"]
    assert names.markers("ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ") == ["singh"]
    # Kumra is a surname, Sinha too: neither is Kumar or Singh misspelt
    assert names.markers("Anil Kumra") == []
    assert names.skeleton("Anil Kumra") == "anl kmr"
    assert names.markers("Vikram Sinha") == []
    assert names.sex("Simran Kour") == "f"


def test_markers_one_person_may_carry() -> None:
    singh, kumar, kaur = frozenset({"singh"}), frozenset({"kumar"}), frozenset({"kaur"})
    assert markers_agree(singh, frozenset())
    assert markers_agree(kumar | singh, singh)  # Rajesh Kumar Singh, Rajesh Singh
    assert not markers_agree(kumar, singh)  # Rajesh Kumar, Rajesh Singh
    assert not markers_agree(kaur, singh)
