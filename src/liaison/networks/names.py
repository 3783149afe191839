"""Cross-script name keys: Devanagari and Gurmukhi to Latin, and a phonetic skeleton.

``latin(name)`` writes any of the three scripts in lower-case Latin (Harvard-Kyoto,
folded); ``skeleton(name)`` is the key two spellings of one name share: aspirates
folded (kh/k, dh/d ...), v/w and z/j merged, vowels after the first letter dropped
(ee/i, oo/u, the inherent "a" of Indic scripts), doubled letters collapsed, and the
family markers Singh/Kaur/Kumar/Kumari/Devi left out (they are present or absent at
will). Dates of birth are compared with ``dob_parts``: exact, day/month swapped, year
only.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from functools import lru_cache

from indic_transliteration import sanscript  # type: ignore[import-untyped]

from liaison.exchange.normalise import fold

MARKERS = frozenset({"singh", "sing", "sinh", "kaur", "kumar", "kumari", "devi", "bibi"})
# Harvard-Kyoto capitals that are not just a capitalised Latin letter
_HK = {"z": "sh", "S": "sh", "G": "n", "J": "n", "M": "n", "R": "ri", "~": "n", "H": ""}
_SCHWA = re.compile(r"(?<=[^aeiou ])a\b")
_ASPIRATES = (
    ("chh", "c"),
    ("kh", "k"),
    ("gh", "g"),
    ("ch", "c"),
    ("jh", "j"),
    ("th", "t"),
    ("dh", "d"),
    ("ph", "f"),
    ("bh", "b"),
    ("sh", "s"),
    ("w", "v"),
    ("z", "j"),
    ("q", "k"),
    ("x", "ks"),
    ("ck", "k"),
    ("c", "k"),
    ("f", "p"),
)
_VOWELS = re.compile(r"[aeiouy]")
_NOT_LETTERS = re.compile(r"[^a-z ]+")


def _script(text: str) -> str | None:
    for ch in text:
        point = ord(ch)
        if 0x0900 <= point <= 0x097F:
            return str(sanscript.DEVANAGARI)
        if 0x0A00 <= point <= 0x0A7F:
            return str(sanscript.GURMUKHI)
    return None


@lru_cache(maxsize=65536)
def latin(name: str) -> str:
    """The name in folded lower-case Latin, whatever its script."""
    script = _script(name)
    text = name
    if script is not None:
        text = str(sanscript.transliterate(name, script, sanscript.HK))
        text = "".join(_HK.get(ch, ch) for ch in text)
        text = _SCHWA.sub("", text)  # the inherent vowel is not said at a word's end
    folded = unicodedata.normalize("NFKD", fold(text))
    return " ".join(_NOT_LETTERS.sub(" ", folded.lower()).split())


def _token_key(token: str) -> str:
    for source, target in _ASPIRATES:
        token = token.replace(source, target)
    head, tail = token[:1], _VOWELS.sub("", token[1:])
    key = head + tail
    return re.sub(r"(.)\1+", r"\1", key)


def tokens(name: str) -> list[str]:
    """The name's Latin tokens, family markers left out."""
    return [t for t in latin(name).split() if t not in MARKERS and len(t) > 1]


@lru_cache(maxsize=65536)
def skeleton(name: str) -> str:
    """The phonetic key of a full name: one token key per name token, in order."""
    return " ".join(_token_key(t) for t in tokens(name))


FEMALE = frozenset({"kaur", "kumari", "devi", "bibi"})
MALE = frozenset({"singh", "sing", "sinh", "kumar"})


def sex(name: str) -> str:
    """ "f" or "m" when the name carries a marker that says so, else ""."""
    words = set(latin(name).split())
    if words & FEMALE:
        return "f"
    return "m" if words & MALE else ""


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
