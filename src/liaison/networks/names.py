"""Names and dates of birth for the person model.

``latin(name)`` writes any of the three scripts in lower-case Latin. ``markers(name)``
are the family markers the name carries (Singh, Kaur, Kumar, Kumari, Devi, Bibi), each
under one spelling whichever way it was written ("Seengh", "Sinh", "Koomar", or with
two neighbouring letters swapped, "Kmuar"). ``skeleton(name)`` is the cross-script key
two spellings of one name share: the exchange's ``name_key`` (the key hit/no-hit uses)
of the name without its markers, so a marker spelt unusually does not change the key.
``first_key`` / ``last_key`` are its first and last words. Dates of birth are compared
with ``dob_parts``: exact, day/month swapped, year only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from liaison.exchange.normalise import latin_name as latin
from liaison.exchange.normalise import name_key

__all__ = [
    "dob_parts",
    "first_key",
    "last_key",
    "latin",
    "markers",
    "sex",
    "sex_of",
    "skeleton",
    "swapped",
    "unmarked",
]

# every spelling seen for a marker, vowels written as ``_vowels`` writes them
MARKER_SPELLINGS = {
    "singh": "singh",
    "sing": "singh",
    "sinh": "singh",
    "kaur": "kaur",
    "kor": "kaur",
    "kumar": "kumar",
    "kumari": "kumari",
    "devi": "devi",
    "bibi": "bibi",
}
NOT_MARKERS = frozenset({"kumra"})  # surnames that are a marker with two letters swapped
FEMALE = frozenset({"kaur", "kumari", "devi", "bibi"})
MALE = frozenset({"singh", "kumar"})


def _vowels(word: str) -> str:
    """Long vowels and their doubled spellings as one ("seengh", "koomar", "kour")."""
    return word.replace("ee", "i").replace("oo", "u").replace("ou", "o")


def _swaps(word: str) -> list[str]:
    return [word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)]


def marker(word: str) -> str:
    """The marker a Latin word spells ("" when it is none): a known spelling, or one
    with two neighbouring letters swapped (the commonest typing error; no other name is
    a marker with two letters swapped)."""
    plain = _vowels(word)
    found = MARKER_SPELLINGS.get(plain, "")
    if found or len(word) < 4 or plain in NOT_MARKERS:
        return found
    return next((MARKER_SPELLINGS[s] for s in _swaps(plain) if s in MARKER_SPELLINGS), "")


@lru_cache(maxsize=65536)
def _split(name: str) -> tuple[str, tuple[str, ...]]:
    """(the name's words that are not markers, its markers sorted)."""
    words = latin(name).split()
    found = [marker(w) for w in words]
    rest = " ".join(w for w, m in zip(words, found, strict=True) if not m)
    return rest, tuple(sorted({m for m in found if m}))


def markers(name: str) -> list[str]:
    return list(_split(name)[1])


def unmarked(name: str) -> str:
    """The name in Latin without its markers: what a spelling is compared on (a shared
    "Singh" makes "Rajinder Singh Bains" and "Rajinder Singh Gill" look alike)."""
    return _split(name)[0]


def skeleton(name: str) -> str:
    return name_key(_split(name)[0])


def sex_of(found: Iterable[str]) -> str:
    """ "f" or "m" when the markers say so, else ""."""
    found = set(found)
    if found & FEMALE:
        return "f"
    return "m" if found & MALE else ""


def sex(name: str) -> str:
    return sex_of(markers(name))


def first_key(name: str) -> str:
    keys = skeleton(name).split()
    return keys[0] if keys else ""


def last_key(name: str) -> str:
    keys = skeleton(name).split()
    return keys[-1] if len(keys) > 1 else ""


def dob_parts(value: date | str | None) -> tuple[str, str]:
    """(full ISO date or "", year or ""): a year-only date gives ("", year)."""
    if value is None or value == "":
        return "", ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    if re.fullmatch(r"\d{4}", text):
        return "", text
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text, text[:4]
    return "", ""


def swapped(iso: str) -> str:
    """The date with day and month exchanged ("" when that is no date)."""
    if not iso:
        return ""
    year, month, day = iso.split("-")
    if int(day) > 12:
        return ""
    return f"{year}-{day}-{month}"
