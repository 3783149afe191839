"""Version 1 of the shared workplan and the Ottawa dialogue, from the February 2026 readouts.

Everything here is deterministic (ids are UUIDv5 of fixed names), so both nodes seed
the byte-identical version 1 and its hash. Version 1 is the baseline agreed at the
dialogue of 6-7 February 2026; each node signs its hash and sends the signature to
the other on first contact (see ``consent.share_signatures``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from liaison.workplan.schemas import Action, Area, Milestone, Period, PlanDocument, Status

_NAMESPACE = uuid.UUID("6f1c1d8e-2a5b-5c33-9e0f-7a1b2c3d4e5f")


def stable_id(name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, name))


PLAN_TITLE = "India\N{EN DASH}Canada shared workplan on security and law enforcement"
PARTIES = ["CA", "IN"]
PERIOD = Period(start=date(2026, 2, 7), end=date(2027, 3, 31))

AREAS = [
    Area(key="liaison_officers", title="Liaison officers"),
    Area(key="drugs_precursors", title="Illegal drugs and fentanyl precursors"),
    Area(key="organised_crime", title="Transnational organised crime"),
    Area(key="cyber", title="Cybersecurity policy and information sharing"),
    Area(key="fraud", title="Fraud"),
    Area(key="immigration", title="Immigration enforcement"),
]


def _action(
    key: str,
    area: str,
    description: str,
    leads: dict[str, str],
    deliverables: list[str],
    milestones: list[tuple[str, date]],
    status: Status = Status.PLANNED,
) -> Action:
    return Action(
        id=stable_id(f"action:{key}"),
        area=area,
        description=description,
        leads=leads,
        deliverables=deliverables,
        milestones=[
            Milestone(id=stable_id(f"milestone:{key}:{i}"), title=title, due=due)
            for i, (title, due) in enumerate(milestones)
        ],
        status=status,
    )


ACTIONS = [
    _action(
        "liaison-officers",
        "liaison_officers",
        "Establish security and law-enforcement liaison officers in each other's country "
        "to streamline communications and enable timely information sharing",
        {"CA": "RCMP", "IN": "MHA"},
        [
            "RCMP liaison officer at the High Commission of Canada, New Delhi",
            "MHA liaison officer at the High Commission of India, Ottawa",
        ],
        [
            ("Nominations exchanged", date(2026, 3, 2)),
            ("Accreditation decided by each host", date(2026, 3, 31)),
            ("Both officers in post", date(2026, 6, 30)),
        ],
        Status.IN_PROGRESS,
    ),
    _action(
        "precursors",
        "drugs_precursors",
        "Timely sharing of information on illegal drug flows, especially fentanyl precursors",
        {"CA": "CBSA", "IN": "NCB"},
        ["Designated points of contact", "Pre-export notification exchange for precursors"],
        [
            ("Points of contact designated", date(2026, 4, 30)),
            ("First pre-export notification exchanged", date(2026, 7, 31)),
        ],
    ),
    _action(
        "organised-crime",
        "organised_crime",
        "Share information on transnational organised crime networks of mutual concern",
        {"CA": "RCMP", "IN": "NIA"},
        ["Joint picture of networks of mutual concern"],
        [("Joint picture delivered to both sides", date(2026, 9, 30))],
    ),
    _action(
        "cyber",
        "cyber",
        "Formalise cooperation on cybersecurity policy and cyber information sharing",
        {"CA": "CCCS", "IN": "CERT-In"},
        ["Terms of the cyber policy dialogue", "Indicator-sharing channel"],
        [
            ("Cyber policy dialogue terms agreed", date(2026, 6, 30)),
            ("Indicator-sharing channel live", date(2026, 10, 31)),
        ],
    ),
    _action(
        "fraud",
        "fraud",
        "Continue discussions on fraud affecting both countries",
        {"CA": "RCMP", "IN": "CBI"},
        ["Working-level discussion record"],
        [("Working-level discussion on fraud held", date(2026, 5, 31))],
    ),
    _action(
        "immigration",
        "immigration",
        "Continue discussions on immigration enforcement, consistent with domestic laws "
        "and international obligations",
        {"CA": "CBSA", "IN": "BoI"},
        ["Working-level discussion record"],
        [("Working-level discussion on immigration enforcement held", date(2026, 5, 31))],
    ),
]


def version_one() -> PlanDocument:
    return PlanDocument(
        title=PLAN_TITLE,
        parties=PARTIES,
        period=PERIOD,
        number=1,
        base_sha256=None,
        proposal=None,
        areas=AREAS,
        actions=sorted(ACTIONS, key=lambda a: a.id or ""),
    )


BASIS_V1 = "Baseline agreed at the Ottawa dialogue, 6-7 February 2026"


@dataclass(frozen=True)
class MeetingSeed:
    key: str
    held_on: date
    place: str
    level: str
    title: str
    participants: list[dict[str, str]]
    agenda: list[str]
    outcomes: list[tuple[str, str, list[str]]]  # kind, text, action keys


_SOURCE = "Readouts of the Government of India and the Government of Canada, February 2026"

MEETINGS = [
    MeetingSeed(
        "ottawa-2026-02-06",
        date(2026, 2, 6),
        "Ottawa",
        "Ministerial",
        "India's National Security Adviser with Canada's Minister of Public Safety",
        [
            {"party": "IN", "role": "National Security Adviser", "name": "Ajit Doval"},
            {"party": "CA", "role": "Minister of Public Safety", "name": "Gary Anandasangaree"},
        ],
        [
            "Security and law-enforcement cooperation",
            "Liaison officers",
            "Illegal drugs and fentanyl precursors",
            "Transnational organised crime",
        ],
        [
            (
                "commitment",
                "Each country to establish security and law-enforcement liaison "
                "officers, to streamline communications and enable timely information sharing",
                ["liaison-officers"],
            ),
            (
                "commitment",
                "Timely information sharing on illegal drug flows, especially fentanyl precursors",
                ["precursors"],
            ),
            (
                "commitment",
                "Information sharing on transnational organised crime networks",
                ["organised-crime"],
            ),
            (
                "outcome",
                "A shared workplan to translate high-level commitments into concrete actions",
                [],
            ),
        ],
    ),
    MeetingSeed(
        "ottawa-2026-02-07",
        date(2026, 2, 7),
        "Ottawa",
        "National security advisers",
        "India's National Security Adviser with Canada's National Security and "
        "Intelligence Advisor",
        [
            {"party": "IN", "role": "National Security Adviser", "name": "Ajit Doval"},
            {
                "party": "CA",
                "role": "National Security and Intelligence Advisor to the Prime Minister",
                "name": "",
            },
        ],
        [
            "Cybersecurity policy and cyber information sharing",
            "Fraud and immigration enforcement",
            "Continued engagement",
        ],
        [
            (
                "commitment",
                "Formalise cooperation on cybersecurity policy and cyber information sharing",
                ["cyber"],
            ),
            ("commitment", "Continue discussions on fraud", ["fraud"]),
            (
                "commitment",
                "Continue discussions on immigration enforcement, consistent with "
                "domestic laws and international obligations",
                ["immigration"],
            ),
            (
                "outcome",
                "Progress acknowledged; continued engagement, with ministerial and "
                "prime-ministerial visits ahead",
                [],
            ),
        ],
    ),
]
SOURCE = _SOURCE
