"""The comparisons of the person model, as SQL over ``<column>_l`` / ``<column>_r``.

One definition serves the full run (Splink builds its comparison vectors from it) and
the incremental run (``incremental`` scores a few candidate pairs with the same SQL in
DuckDB), so both give the same levels and weights. The first level of each
comparison is the null level; the rest go from the strongest agreement to "else".
"""

from __future__ import annotations

from dataclasses import dataclass

from liaison.kit.plugin import N_


@dataclass(frozen=True)
class Level:
    label: str
    sql: str


@dataclass(frozen=True)
class Comparison:
    name: str
    description: str
    levels: tuple[Level, ...]  # null level first, else level last


def _jw(column: str, at: float) -> str:
    return f"jaro_winkler_similarity({column}_l, {column}_r) >= {at}"


def _swapped(column: str) -> str:
    """One edit apart counting a swap of two neighbouring letters as one, two otherwise:
    the two differ by such a swap (the vowels the key drops can hide one, "Gurrpeet")."""
    return (
        f"(damerau_levenshtein({column}_l, {column}_r) = 1"
        f" AND levenshtein({column}_l, {column}_r) = 2)"
    )


NAME = Comparison(
    "name",
    "Name, written in Latin from any script, as a phonetic key",
    (
        Level(N_("name missing"), "name_key_l IS NULL OR name_key_r IS NULL"),
        Level(N_("same phonetic name"), "name_key_l = name_key_r"),
        Level(
            N_("same name, two neighbouring letters swapped"),  # the commonest typing error
            f"{_swapped('name_key')} OR {_swapped('latin')}",
        ),
        Level(N_("phonetic name almost the same"), _jw("name_key", 0.92)),
        Level(
            N_("same first name and surname"),
            "first_key_l = first_key_r AND last_key_l = last_key_r",
        ),
        Level(
            N_("same first name, surname on one side only"),
            "first_key_l = first_key_r AND (last_key_l IS NULL OR last_key_r IS NULL)",
        ),
        Level(N_("one letter off"), "damerau_levenshtein(name_key_l, name_key_r) <= 1"),
        Level(N_("spelling close"), _jw("latin", 0.88)),
        Level(N_("same first name only"), "first_key_l = first_key_r"),
        Level(N_("names differ"), "ELSE"),
    ),
)

DOB = Comparison(
    "dob",
    "Date of birth: exact, day and month swapped, year only",
    (
        Level(N_("date of birth missing"), "year_l IS NULL OR year_r IS NULL"),
        Level(N_("same date of birth"), "dob_l = dob_r"),
        Level(N_("day and month swapped"), "dob_l = dob_swapped_r"),
        Level(
            N_("same year, a full date on one side only"),
            "year_l = year_r AND (dob_l IS NULL OR dob_r IS NULL)",
        ),
        Level(N_("one digit different"), "damerau_levenshtein(dob_l, dob_r) <= 1"),
        Level(N_("same year, different date"), "year_l = year_r"),
        Level(N_("dates of birth differ"), "ELSE"),
    ),
)


def _jaccard(column: str) -> str:
    both = f"len(list_distinct(list_concat({column}_l, {column}_r)))"
    return f"len(list_intersect({column}_l, {column}_r)) / {both}"


def _missing(column: str) -> str:
    return f"len({column}_l) = 0 OR len({column}_r) = 0"


IDS = Comparison(
    "identifiers",
    "Documents, phones, e-mails, accounts, wallets reported with the person",
    (
        Level(N_("no identifiers on one side"), _missing("ids")),
        Level(N_("an identifier in common"), "len(list_intersect(ids_l, ids_r)) >= 1"),
        Level(
            N_("an identifier one character off"),
            "list_bool_or(list_transform(ids_l, lambda x: list_bool_or("
            "list_transform(ids_r, lambda y: damerau_levenshtein(x, y) <= 1))))",
        ),
        Level(N_("identifiers differ"), "ELSE"),
    ),
)

ADDRESS_WORDS = Comparison(
    "address",
    "Words of the address reported with the person (street, place, region)",
    (
        Level(N_("no address on one side"), _missing("addr_words")),
        Level(N_("same address words"), f"{_jaccard('addr_words')} >= 0.99"),
        Level(N_("most address words in common"), f"{_jaccard('addr_words')} >= 0.6"),
        Level(N_("some address words in common"), f"{_jaccard('addr_words')} >= 0.3"),
        Level(N_("addresses differ"), "ELSE"),
    ),
)

ADDRESS_NUMBERS = Comparison(
    "address_numbers",
    "Numbers of the address reported with the person (house, postcode)",
    (
        Level(N_("no address numbers on one side"), _missing("addr_numbers")),
        Level(N_("same address numbers"), f"{_jaccard('addr_numbers')} >= 0.99"),
        Level(
            N_("an address number in common"),
            "len(list_intersect(addr_numbers_l, addr_numbers_r)) >= 1",
        ),
        Level(N_("address numbers differ"), "ELSE"),
    ),
)

MARKERS = Comparison(
    "markers",
    "Family markers in the name (Singh, Kaur, Kumar, Kumari, Devi, Bibi) and the sex they say",
    (
        Level(N_("no marker on one side"), _missing("markers")),
        Level(N_("same markers"), "markers_l = markers_r"),
        Level(
            N_("one name's markers within the other's"),  # Rajesh Kumar Singh, Rajesh Singh
            "list_has_all(markers_l, markers_r) OR list_has_all(markers_r, markers_l)",
        ),
        Level(N_("different markers, same sex"), "sex_l = sex_r"),  # a Singh and a Kumar
        Level(N_("different sex"), "ELSE"),  # a Kaur and a Singh
    ),
)

BIRTHPLACE = Comparison(
    "birthplace",
    "Place of birth (town or district), written in Latin from any script",
    (
        Level(N_("place of birth missing"), "place_key_l IS NULL OR place_key_r IS NULL"),
        Level(N_("same place of birth"), "place_key_l = place_key_r"),
        Level(  # "Ambala" and "अंबाला" (ambl, anbl), a typo, "Ludhiyana"
            N_("place of birth spelt almost the same"),
            f"damerau_levenshtein(place_key_l, place_key_r) <= 1 OR {_jw('place', 0.88)}",
        ),
        Level(N_("places of birth differ"), "ELSE"),
    ),
)

COUNTRY = Comparison(
    "nationality",
    "Nationality",
    (
        Level(N_("nationality missing"), "nationality_l IS NULL OR nationality_r IS NULL"),
        Level(N_("same nationality"), "nationality_l = nationality_r"),
        Level(N_("nationality differs"), "ELSE"),
    ),
)

COMPARISONS = (NAME, DOB, IDS, ADDRESS_WORDS, ADDRESS_NUMBERS, MARKERS, BIRTHPLACE, COUNTRY)
# What the "why are these the same?" table calls each comparison (translated where shown).
TITLES = {
    NAME.name: N_("Name"),
    DOB.name: N_("Date of birth"),
    IDS.name: N_("Identifiers"),
    ADDRESS_WORDS.name: N_("Address words"),
    ADDRESS_NUMBERS.name: N_("Address numbers"),
    MARKERS.name: N_("Family markers"),
    BIRTHPLACE.name: N_("Place of birth"),
    COUNTRY.name: N_("Nationality"),
}
LISTS = ("ids", "addr_words", "addr_numbers", "markers")
COLUMNS = (
    "name_key",
    "first_key",
    "last_key",
    "latin",
    "dob",
    "dob_swapped",
    "year",
    "ids",
    "addr_words",
    "addr_numbers",
    "markers",
    "sex",
    "nationality",
    "place",
    "place_key",
)


def gamma_sql(comparison: Comparison) -> str:
    """A CASE giving Splink's comparison vector value: -1 null, highest agreement first."""
    n = len(comparison.levels) - 1
    parts = [f"WHEN {comparison.levels[0].sql} THEN -1"]
    for index, level in enumerate(comparison.levels[1:-1]):
        parts.append(f"WHEN {level.sql} THEN {n - 1 - index}")
    return f"CASE {' '.join(parts)} ELSE 0 END"
