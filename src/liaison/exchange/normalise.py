"""Normalising what entities carry: free text to a key form, checked identifiers,
country codes, domain names. Each raises ValueError with a message for the field."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from functools import lru_cache

import phonenumbers
from indic_transliteration import sanscript  # type: ignore[import-untyped]
from stdnum.exceptions import ValidationError as StdnumError

from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.validation import InvalidValue

SPACES = re.compile(r"\s+")
DOMAIN = re.compile(r"^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$")


def fold(text: str) -> str:
    """Key form of free text: case-folded, Latin diacritics removed, whitespace collapsed.

    Marks on other scripts (Devanagari viramas and vowel signs) carry meaning and stay.
    """
    kept: list[str] = []
    base_is_latin = True
    for ch in unicodedata.normalize("NFKD", text):
        if not unicodedata.combining(ch):
            base_is_latin = ord(ch) < 0x250
        elif base_is_latin:
            continue
        kept.append(ch)
    stripped = "".join(kept)
    return SPACES.sub(" ", unicodedata.normalize("NFC", stripped).casefold()).strip()


def checked(check: object, value: str, what: str) -> str:
    try:
        return str(check(value))  # type: ignore[operator]
    except StdnumError as error:
        raise InvalidValue(
            Text(N_("is not a valid %(what)s (%(error)s)"), what=Text(what), error=error)
        ) from None


def country_code(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    upper = value.strip().upper()
    if upper not in phonenumbers.SUPPORTED_REGIONS and upper not in EXTRA_COUNTRIES:
        raise ValueError(N_("not an ISO 3166-1 alpha-2 country code"))
    return upper


EXTRA_COUNTRIES = frozenset({"AQ", "BV", "GS", "HM", "PN", "TF", "UM"})


def field_error(field: str, message: str) -> ValueError:
    """A model-level error whose message names its field first."""
    return ValueError(f"{field}: {message}")


def domain_name(value: str) -> str:
    text = value.strip().rstrip(".").lower()
    try:
        text = text.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError(N_("is not a valid domain name")) from None
    if not DOMAIN.match(text):
        raise ValueError(N_("is not a valid domain name"))
    return text


def domain_or_ip(host: str) -> str:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return domain_name(host)


# Cross-script name keys. One key for hit/no-hit and the networks, so that both agree
# on whether two names are one.
NAME_MARKERS = frozenset({"singh", "sing", "sinh", "kaur", "kumar", "kumari", "devi", "bibi"})
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
_NAME_VOWELS = re.compile(r"[aeiouy]")
_NOT_LETTERS = re.compile(r"[^a-z ]+")


def _indic_script(text: str) -> str | None:
    for ch in text:
        point = ord(ch)
        if 0x0900 <= point <= 0x097F:
            return str(sanscript.DEVANAGARI)
        if 0x0A00 <= point <= 0x0A7F:
            return str(sanscript.GURMUKHI)
    return None


@lru_cache(maxsize=65536)
def latin_name(name: str) -> str:
    """The name in folded lower-case Latin, whatever its script (Latin, Devanagari,
    Gurmukhi: through Harvard-Kyoto, the inherent vowel dropped at a word's end)."""
    script = _indic_script(name)
    text = name
    if script is not None:
        text = str(sanscript.transliterate(name, script, sanscript.HK))
        text = "".join(_HK.get(ch, ch) for ch in text)
        text = _SCHWA.sub("", text)
    folded = unicodedata.normalize("NFKD", fold(text))
    return " ".join(_NOT_LETTERS.sub(" ", folded.lower()).split())


def name_tokens(name: str) -> list[str]:
    """The name's Latin words, the family markers (Singh, Kaur, Kumar ...) left out:
    they are present or absent at will."""
    return [t for t in latin_name(name).split() if t not in NAME_MARKERS and len(t) > 1]


def _token_key(token: str) -> str:
    for source, target in _ASPIRATES:
        token = token.replace(source, target)
    key = token[:1] + _NAME_VOWELS.sub("", token[1:])
    return re.sub(r"(.)\1+", r"\1", key)


@lru_cache(maxsize=65536)
def name_key(name: str) -> str:
    """The cross-script phonetic key of a full name, one word key per name word in
    order: aspirates folded (kh/k, dh/d ...), v/w and z/j merged, vowels after a word's
    first letter dropped (ee/i, oo/u, the inherent "a"), doubles collapsed, family
    markers left out. "Gurpreet Singh Sandhu", "गुरप्रीत सिंह संधू" and "Gurprit Sandhoo"
    share one."""
    return " ".join(_token_key(t) for t in name_tokens(name))
