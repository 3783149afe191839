"""Names and dates of birth for the person model.

``latin(name)`` writes any of the three scripts in lower-case Latin and
``skeleton(name)`` is the cross-script key two spellings of one name share: both are
the exchange's (``exchange.normalise.latin_name`` / ``name_key``), the key hit/no-hit
uses too. ``first_key`` / ``last_key`` are its first and last words. Dates of birth
are compared with ``dob_parts``: exact, day/month swapped, year only.
"""

from __future__ import annotations

import re
from datetime import date

from liaison.exchange.normalise import latin_name as latin
from liaison.exchange.normalise import name_key as skeleton
from liaison.exchange.normalise import name_tokens as tokens

__all__ = ["dob_parts", "first_key", "last_key", "latin", "sex", "skeleton", "swapped", "tokens"]

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
