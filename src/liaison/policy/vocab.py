"""The closed vocabularies a policy subject is written in, as data.

- **Parties and countries**: ISO 3166-1 alpha-2, normalised to upper case ("in" is
  IN; "India" and "XX" are refused).
- **Offences**: one taxonomy with labels and statute references per party, and
  whether the offence is one of the activities that undermine the security of Canada
  (SCIDA s. 2: it alone lifts the lawful-advocacy exclusion).
- **Activity bases**: what a person is known for; some are protected (advocacy,
  protest, dissent, artistic expression).
- **Death-penalty parties**: parties whose law provides the death penalty, with the
  citation and the taxonomy's offences that can carry it there. The Burns rule reads
  this table through the route of the item (recipient and onward recipient).

The party-keyed tables (statutes, death-penalty laws) live in ``vocab.toml``: adding a
party is a data change.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

import pycountry

from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.validation import InvalidValue

COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)


def party_code(value: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper case; ValueError naming the value otherwise."""
    code = value.strip().upper()
    if code not in COUNTRY_CODES:
        raise InvalidValue(
            Text(
                N_(
                    "%(value)r is not an ISO 3166-1 alpha-2 country code (e.g. "
                    "CA, IN): use the two-letter code, not the name"
                ),
                value=value,
            )
        )
    return code


@dataclass(frozen=True)
class Offence:
    code: str
    label: str
    statutes: dict[str, str]  # party -> statute reference
    undermines_security: bool = False  # SCIDA s. 2 activity


_DATA = tomllib.loads((resources.files("liaison.policy") / "vocab.toml").read_text("utf-8"))

OFFENCES: dict[str, Offence] = {
    code: Offence(
        code,
        entry["label"],
        dict(entry["statutes"]),
        undermines_security=entry.get("undermines_security", False),
    )
    for code, entry in _DATA["offences"].items()
}


def offence_code(value: str) -> str:
    code = value.strip().lower()
    if code not in OFFENCES:
        raise InvalidValue(
            Text(
                N_(
                    "unknown offence %(value)r: use one of %(OFFENCES)s (free "
                    "text belongs in the body or a note)"
                ),
                value=value,
                OFFENCES=", ".join(sorted(OFFENCES)),
            )
        )
    return code


PROTECTED_ACTIVITIES = frozenset(
    {"lawful_advocacy", "advocacy", "protest", "dissent", "artistic_expression"}
)
ACTIVITY_BASES = PROTECTED_ACTIVITIES | {"violence", "crime", "security_threat"}


def activity_basis(value: str) -> str:
    code = value.strip().lower()
    if code not in ACTIVITY_BASES:
        raise InvalidValue(
            Text(
                N_("unknown activity basis %(value)r: use one of %(ACTIVITY_BASES)s"),
                value=value,
                ACTIVITY_BASES=", ".join(sorted(ACTIVITY_BASES)),
            )
        )
    return code


@dataclass(frozen=True)
class DeathPenaltyLaw:
    party: str
    citation: str
    capital_offences: frozenset[str]


DEATH_PENALTY: dict[str, DeathPenaltyLaw] = {
    party: DeathPenaltyLaw(party, entry["citation"], frozenset(entry["capital_offences"]))
    for party, entry in _DATA["death_penalty"].items()
}

# party -> the law under which it authorises a controlled delivery
CONTROLLED_DELIVERY_AUTHORITY: dict[str, str] = dict(_DATA.get("controlled_delivery", {}))

# party -> priority -> hours: the response times the arrangement with that party sets
RESPONSE_HOURS: dict[str, dict[str, float]] = {
    party: {priority: float(hours) for priority, hours in entry.items()}
    for party, entry in _DATA.get("response_hours", {}).items()
}
