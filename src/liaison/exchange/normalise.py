"""Normalising what entities carry: free text to a key form, checked identifiers,
country codes, domain names. Each raises ValueError with a message for the field."""

from __future__ import annotations

import ipaddress
import re
import unicodedata

import phonenumbers
from stdnum.exceptions import ValidationError as StdnumError

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
        raise ValueError(f"is not a valid {what} ({error})") from None


def country_code(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    upper = value.strip().upper()
    if upper not in phonenumbers.SUPPORTED_REGIONS and upper not in EXTRA_COUNTRIES:
        raise ValueError("not an ISO 3166-1 alpha-2 country code")
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
        raise ValueError("is not a valid domain name") from None
    if not DOMAIN.match(text):
        raise ValueError("is not a valid domain name")
    return text


def domain_or_ip(host: str) -> str:
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return domain_name(host)
