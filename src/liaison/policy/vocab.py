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
"""

from __future__ import annotations

from dataclasses import dataclass

import pycountry

COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries)


def party_code(value: str) -> str:
    """An ISO 3166-1 alpha-2 code, upper case; ValueError naming the value otherwise."""
    code = value.strip().upper()
    if code not in COUNTRY_CODES:
        raise ValueError(
            f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. CA, IN): "
            "use the two-letter code, not the name"
        )
    return code


@dataclass(frozen=True)
class Offence:
    code: str
    label: str
    statutes: dict[str, str]  # party -> statute reference
    undermines_security: bool = False  # SCIDA s. 2 activity


OFFENCES: dict[str, Offence] = {
    o.code: o
    for o in (
        Offence(
            "drug_trafficking",
            "Drug trafficking",
            {"CA": "Controlled Drugs and Substances Act, s. 5", "IN": "NDPS Act 1985, ss. 21-23"},
        ),
        Offence(
            "precursor_diversion",
            "Diversion of precursor chemicals",
            {
                "CA": "Controlled Drugs and Substances Act, s. 6; Precursor Control Regulations",
                "IN": "NDPS Act 1985, s. 25A",
            },
        ),
        Offence(
            "ndps_31a_repeat",
            "Repeat NDPS offence (enhanced punishment)",
            {"IN": "NDPS Act 1985, s. 31A"},
        ),
        Offence(
            "murder",
            "Murder",
            {"CA": "Criminal Code, ss. 229, 235", "IN": "Bharatiya Nyaya Sanhita 2023, s. 103"},
        ),
        Offence(
            "kidnapping_for_ransom",
            "Kidnapping for ransom",
            {"CA": "Criminal Code, s. 279", "IN": "Bharatiya Nyaya Sanhita 2023, s. 140(2)"},
        ),
        Offence(
            "terrorism",
            "Terrorism",
            {
                "CA": "Criminal Code, Part II.1 (ss. 83.18-83.23)",
                "IN": "Unlawful Activities (Prevention) Act 1967, s. 16",
            },
            undermines_security=True,
        ),
        Offence(
            "waging_war",
            "Waging war against the state",
            {"CA": "Criminal Code, s. 46 (treason)", "IN": "Bharatiya Nyaya Sanhita 2023, s. 147"},
            undermines_security=True,
        ),
        Offence(
            "espionage",
            "Espionage",
            {"CA": "Security of Information Act, s. 16", "IN": "Official Secrets Act 1923, s. 3"},
            undermines_security=True,
        ),
        Offence(
            "sabotage",
            "Sabotage of critical infrastructure",
            {"CA": "Criminal Code, s. 52", "IN": "Information Technology Act 2000, s. 66F"},
            undermines_security=True,
        ),
        Offence(
            "foreign_interference",
            "Foreign interference",
            {"CA": "Security of Information Act, s. 20"},
            undermines_security=True,
        ),
        Offence(
            "organised_crime",
            "Participation in a criminal organisation",
            {"CA": "Criminal Code, s. 467.11", "IN": "Bharatiya Nyaya Sanhita 2023, s. 111"},
        ),
        Offence(
            "money_laundering",
            "Money laundering",
            {
                "CA": "Criminal Code, s. 462.31",
                "IN": "Prevention of Money-laundering Act 2002, s. 3",
            },
        ),
        Offence(
            "fraud",
            "Fraud / cheating",
            {"CA": "Criminal Code, s. 380", "IN": "Bharatiya Nyaya Sanhita 2023, s. 318"},
        ),
        Offence(
            "extortion",
            "Extortion",
            {"CA": "Criminal Code, s. 346", "IN": "Bharatiya Nyaya Sanhita 2023, s. 308"},
        ),
        Offence(
            "immigration_document_fraud",
            "Immigration document fraud",
            {
                "CA": "Immigration and Refugee Protection Act, s. 122",
                "IN": "Passports Act 1967, s. 12",
            },
        ),
        Offence(
            "human_trafficking",
            "Trafficking in persons",
            {"CA": "Criminal Code, s. 279.01", "IN": "Bharatiya Nyaya Sanhita 2023, s. 143"},
        ),
        Offence(
            "arms_trafficking",
            "Firearms trafficking",
            {"CA": "Criminal Code, s. 99", "IN": "Arms Act 1959, s. 25"},
        ),
        Offence(
            "cybercrime",
            "Unauthorised use of a computer",
            {"CA": "Criminal Code, s. 342.1", "IN": "Information Technology Act 2000, s. 66"},
        ),
    )
}


def offence_code(value: str) -> str:
    code = value.strip().lower()
    if code not in OFFENCES:
        raise ValueError(
            f"unknown offence {value!r}: use one of {', '.join(sorted(OFFENCES))} "
            "(free text belongs in the body or a note)"
        )
    return code


PROTECTED_ACTIVITIES = frozenset(
    {"lawful_advocacy", "advocacy", "protest", "dissent", "artistic_expression"}
)
ACTIVITY_BASES = PROTECTED_ACTIVITIES | {"violence", "crime", "security_threat"}


def activity_basis(value: str) -> str:
    code = value.strip().lower()
    if code not in ACTIVITY_BASES:
        raise ValueError(
            f"unknown activity basis {value!r}: use one of {', '.join(sorted(ACTIVITY_BASES))}"
        )
    return code


@dataclass(frozen=True)
class DeathPenaltyLaw:
    party: str
    citation: str
    capital_offences: frozenset[str]


DEATH_PENALTY: dict[str, DeathPenaltyLaw] = {
    law.party: law
    for law in (
        DeathPenaltyLaw(
            "IN",
            "Bharatiya Nyaya Sanhita 2023, ss. 4(a), 103, 140(2), 147; NDPS Act 1985, s. 31A; "
            "UAPA 1967, s. 16",
            frozenset(
                {"murder", "ndps_31a_repeat", "terrorism", "kidnapping_for_ransom", "waging_war"}
            ),
        ),
        DeathPenaltyLaw(
            "US",
            "Federal Death Penalty Act, 18 U.S.C. ss. 3591-3599",
            frozenset({"murder", "terrorism", "espionage", "kidnapping_for_ransom"}),
        ),
        DeathPenaltyLaw(
            "CN",
            "Criminal Law of the People's Republic of China, arts. 48, 232, 347",
            frozenset({"murder", "drug_trafficking", "terrorism", "espionage"}),
        ),
        DeathPenaltyLaw(
            "PK",
            "Pakistan Penal Code 1860, s. 302; Anti-Terrorism Act 1997, s. 7; CNSA 1997, s. 9",
            frozenset({"murder", "terrorism", "drug_trafficking", "kidnapping_for_ransom"}),
        ),
        DeathPenaltyLaw(
            "BD",
            "Penal Code 1860 (Bangladesh), s. 302; Anti-Terrorism Act 2009, s. 6",
            frozenset({"murder", "terrorism"}),
        ),
        DeathPenaltyLaw(
            "LK",
            "Penal Code (Sri Lanka), s. 296; Poisons, Opium and Dangerous Drugs Ordinance, s. 54A",
            frozenset({"murder", "drug_trafficking"}),
        ),
    )
}
