"""Seed data drawn from the readouts of the Ottawa meetings of 6-7 February 2026.

Officers are identified by role title; no personal names are invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from liaison.kit.roles import Role


@dataclass(frozen=True)
class AgencySeed:
    acronym: str
    name: str
    mandate_areas: tuple[str, ...]


@dataclass(frozen=True)
class OfficerSeed:
    agency_acronym: str
    role_title: str
    host_party_code: str
    posting: str
    nominated_on: date


PARTIES = {"CA": "Canada", "IN": "India", "US": "United States"}
# The zone a party's people read times in unless they choose another (their capital's).
PARTY_TIME_ZONES = {"CA": "America/Toronto", "IN": "Asia/Kolkata", "US": "America/New_York"}

AGENCIES: dict[str, tuple[AgencySeed, ...]] = {
    "CA": (
        AgencySeed(
            "PS",
            "Public Safety Canada",
            ("national_security", "organised_crime", "counter_terrorism", "cyber"),
        ),
        AgencySeed(
            "PCO-NSIA",
            "Privy Council Office (National Security and Intelligence Advisor)",
            ("national_security",),
        ),
        AgencySeed(
            "RCMP",
            "Royal Canadian Mounted Police",
            ("drugs", "organised_crime", "fraud", "cyber", "counter_terrorism"),
        ),
        AgencySeed(
            "CBSA", "Canada Border Services Agency", ("drugs", "immigration", "organised_crime")
        ),
        AgencySeed(
            "CSIS",
            "Canadian Security Intelligence Service",
            ("national_security", "counter_terrorism"),
        ),
        AgencySeed("CCCS", "Canadian Centre for Cyber Security", ("cyber",)),
        AgencySeed(
            "IRCC", "Immigration, Refugees and Citizenship Canada", ("immigration", "fraud")
        ),
        AgencySeed(
            "FINTRAC",
            "Financial Transactions and Reports Analysis Centre of Canada",
            ("fraud", "organised_crime", "counter_terrorism"),
        ),
    ),
    "IN": (
        AgencySeed(
            "MHA",
            "Ministry of Home Affairs",
            ("national_security", "counter_terrorism", "immigration", "drugs"),
        ),
        AgencySeed("NSCS", "National Security Council Secretariat", ("national_security", "cyber")),
        AgencySeed(
            "NIA", "National Investigation Agency", ("counter_terrorism", "organised_crime")
        ),
        AgencySeed("NCB", "Narcotics Control Bureau", ("drugs", "organised_crime")),
        AgencySeed("CBI", "Central Bureau of Investigation", ("fraud", "organised_crime", "cyber")),
        AgencySeed("CERT-In", "Indian Computer Emergency Response Team", ("cyber",)),
        AgencySeed("BoI", "Bureau of Immigration", ("immigration",)),
        AgencySeed(
            "DRI",
            "Directorate of Revenue Intelligence",
            ("drugs", "organised_crime", "fraud"),
        ),
    ),
    # The third party of ``liaison demo --parties CA,IN,US`` (fentanyl precursors).
    "US": (
        AgencySeed("DEA", "Drug Enforcement Administration", ("drugs", "organised_crime")),
        AgencySeed(
            "FBI",
            "Federal Bureau of Investigation",
            ("counter_terrorism", "organised_crime", "cyber", "fraud", "national_security"),
        ),
        AgencySeed("CBP", "U.S. Customs and Border Protection", ("drugs", "immigration")),
        AgencySeed(
            "HSI",
            "Homeland Security Investigations",
            ("drugs", "organised_crime", "immigration", "fraud"),
        ),
        AgencySeed(
            "DOJ-OIA",
            "Department of Justice, Office of International Affairs",
            ("organised_crime", "fraud", "counter_terrorism"),
        ),
    ),
}

# One liaison officer post each way, as the readouts announced (and the third party's).
OFFICERS: dict[str, tuple[OfficerSeed, ...]] = {
    "CA": (
        OfficerSeed(
            "RCMP",
            "RCMP Liaison Officer (security and law enforcement)",
            "IN",
            "High Commission of Canada, New Delhi",
            date(2026, 3, 2),
        ),
    ),
    "IN": (
        OfficerSeed(
            "MHA",
            "Liaison Officer (security and law enforcement), Ministry of Home Affairs",
            "CA",
            "High Commission of India, Ottawa",
            date(2026, 3, 2),
        ),
    ),
    "US": (
        OfficerSeed(
            "DEA",
            "DEA Country Attaché (fentanyl precursors)",
            "IN",
            "Embassy of the United States, New Delhi",
            date(2026, 3, 9),
        ),
        OfficerSeed(
            "FBI",
            "FBI Legal Attaché",
            "CA",
            "Embassy of the United States, Ottawa",
            date(2026, 3, 9),
        ),
    ),
}

# Demo users: one per role on each node, with the agency each belongs to.
USER_AGENCIES: dict[str, dict[Role, str]] = {
    "CA": {
        Role.ADMIN: "PS",
        Role.LIAISON_OFFICER: "RCMP",
        Role.ANALYST: "CBSA",
        Role.LEGAL_REVIEWER: "PS",
        Role.VIEWER: "PCO-NSIA",
    },
    "IN": {
        Role.ADMIN: "MHA",
        Role.LIAISON_OFFICER: "MHA",
        Role.ANALYST: "NCB",
        Role.LEGAL_REVIEWER: "MHA",
        Role.VIEWER: "NSCS",
    },
    "US": {
        Role.ADMIN: "FBI",
        Role.LIAISON_OFFICER: "DEA",
        Role.ANALYST: "HSI",
        Role.LEGAL_REVIEWER: "DOJ-OIA",
        Role.VIEWER: "CBP",
    },
}

ROLE_LOGIN_SUFFIX: dict[Role, str] = {
    Role.ADMIN: "admin",
    Role.LIAISON_OFFICER: "officer",
    Role.ANALYST: "analyst",
    Role.LEGAL_REVIEWER: "legal",
    Role.VIEWER: "viewer",
}


def demo_username(party_code: str, role: Role) -> str:
    return f"{party_code.lower()}-{ROLE_LOGIN_SUFFIX[role]}"


def demo_password(username: str) -> str:
    """Demo passwords are public by design: the demo is for trying the software."""
    return f"liaison-demo-{username}"
