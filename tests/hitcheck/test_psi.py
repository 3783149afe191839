"""The PSI core and the shared normalisation: what a hit means, without a network."""

from __future__ import annotations

import pytest

from liaison.hitcheck import psi
from liaison.hitcheck.identifiers import Identifier, keys_of
from liaison.hitcheck.names import skeleton
from liaison.kit.errors import ValidationFailed


def _tags_of_query(key: bytes, asked: list[str]) -> list[bytes]:
    blinded = psi.Blinded(asked)
    return blinded.tags(psi.evaluate(key, blinded.points))


def test_the_querier_finds_exactly_the_identifiers_the_answerer_indexed() -> None:
    key = psi.derive_key(b"\x01" * 32, epoch=1)
    held = set(psi.index_tags(key, ["phone:+919876543210", "email:a@example.in"]))
    tags = _tags_of_query(key, ["phone:+919876543210", "phone:+919876543211", "email:a@example.in"])
    assert [tag in held for tag in tags] == [True, False, True]


def test_an_index_built_on_several_threads_hits_exactly_as_one_built_on_one() -> None:
    key = psi.derive_key(b"\x01" * 32, epoch=1)
    held = [f"phone:+9198765{n:05d}" for n in range(psi.PARALLEL_FROM + 7)]
    threaded = psi.index_tags(key, held, workers=3)
    assert threaded == psi.index_tags(key, held, workers=1)  # same tags, same order
    tags = _tags_of_query(key, [held[-1], "phone:+919999999999"])
    assert [tag in set(threaded) for tag in tags] == [True, False]


def test_the_answerer_sees_only_blinded_points_and_a_new_key_epoch_changes_every_tag() -> None:
    key = psi.derive_key(b"\x01" * 32, epoch=1)
    first, second = psi.Blinded(["phone:+919876543210"]), psi.Blinded(["phone:+919876543210"])
    assert first.points != second.points  # fresh blinding each time: unlinkable
    assert psi.hash_to_group("phone:+919876543210") not in first.points
    rotated = psi.derive_key(b"\x01" * 32, epoch=2)
    assert psi.index_tags(key, ["x"]) != psi.index_tags(rotated, ["x"])


def test_a_point_that_is_not_a_group_element_is_refused() -> None:
    key = psi.derive_key(b"\x01" * 32, epoch=1)
    with pytest.raises(ValidationFailed, match="ristretto255"):
        psi.evaluate(key, [b"\xff" * 32])
    with pytest.raises(ValidationFailed, match="32 bytes"):
        psi.evaluate(key, [b"\x00" * 31])


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            {"category": "phone", "value": "+91 98765-43210"},
            {"category": "phone", "value": "098765 43210", "country": "IN"},
        ),
        (
            {"category": "passport", "value": "z 123-4567", "country": "in"},
            {"category": "passport", "value": "Z1234567", "country": "IN"},
        ),
        (
            {"category": "iban", "value": "GB82 WEST 1234 5698 7654 32"},
            {"category": "iban", "value": "gb82west12345698765432"},
        ),
        (
            {"category": "container", "value": "mscu 123456-6"},
            {"category": "container", "value": "MSCU1234566"},
        ),
        (
            {"category": "email", "value": "Ravi@Example.IN"},
            {"category": "email", "value": "Ravi@example.in"},
        ),
        (
            {"category": "upi", "value": " Ravi.Kumar@OKAXIS "},
            {"category": "upi", "value": "ravi.kumar@okaxis"},
        ),
    ],
)
def test_formatting_variants_of_one_identifier_share_a_key(
    first: dict[str, str], second: dict[str, str]
) -> None:
    assert set(keys_of(Identifier.model_validate(first))) & set(
        keys_of(Identifier.model_validate(second))
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            {"category": "phone", "value": "+919876543210"},
            {"category": "phone", "value": "+919876543211"},
        ),
        (
            {"category": "passport", "value": "Z1234567", "country": "IN"},
            {"category": "passport", "value": "Z1234567", "country": "CA"},
        ),
        (
            {"category": "person", "value": "Gurpreet Singh", "date_of_birth": "1994-05-17"},
            {"category": "person", "value": "Gurpreet Singh", "date_of_birth": "1994-05-18"},
        ),
        (
            {"category": "person", "value": "Gurpreet Singh", "date_of_birth": "1994-05-17"},
            {"category": "person", "value": "Harpreet Singh", "date_of_birth": "1994-05-17"},
        ),
        (
            {"category": "upi", "value": "ravi.kumar@okaxis"},
            {"category": "upi", "value": "ravi.kumar@oksbi"},
        ),
    ],
)
def test_near_misses_do_not_share_a_key(first: dict[str, str], second: dict[str, str]) -> None:
    assert not set(keys_of(Identifier.model_validate(first))) & set(
        keys_of(Identifier.model_validate(second))
    )


def test_a_name_in_latin_devanagari_and_gurmukhi_has_one_cross_script_key() -> None:
    assert skeleton("Gurpreet Singh") == skeleton("गुरप्रीत सिंह") == skeleton("ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ")
    assert skeleton("Amandeep Kaur") == skeleton("ਅਮਨਦੀਪ ਕੌਰ")
    assert skeleton("Gurpreet Singh") != skeleton("Harpreet Singh")


def test_an_invalid_identifier_says_what_is_wrong() -> None:
    with pytest.raises(ValidationFailed, match="phone"):
        keys_of(Identifier(category="phone", value="12345"))
    for not_upi in ("ravi.kumar", "ravi@", "@okaxis", "ravi@ok axis@ybl", "ra vi#1@okaxis"):
        with pytest.raises(ValidationFailed, match="is not a UPI id"):
            keys_of(Identifier(category="upi", value=not_upi))
    with pytest.raises(ValueError, match="date of birth"):
        Identifier.model_validate({"category": "person", "value": "Gurpreet Singh"})
