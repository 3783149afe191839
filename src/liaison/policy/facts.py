"""Facts the rules read that are derived from a subject, never typed in by a caller.

They combine the subject's own fields (a draft in the decision API) with every person
in the item (``persons``, filled from the person entities) and the tables in
``vocab`` (the death-penalty parties, the offences that undermine security), so a
rule reads one attribute and the route of the item is always taken whole: the
recipient and, for a forward, the onward recipient.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from liaison.policy import vocab
from liaison.policy.schemas import PersonFacts, PolicySubject, ProtectionStatus

AT_RISK = frozenset({ProtectionStatus.REFUGEE_CLAIMANT, ProtectionStatus.PROTECTED_PERSON})


def route(subject: PolicySubject) -> list[str]:
    """The parties the item reaches: the recipient, then any onward recipient."""
    parties = [subject.recipient_party]
    if subject.onward_recipient_party and subject.onward_recipient_party not in parties:
        parties.append(subject.onward_recipient_party)
    return parties


def everyone(subject: PolicySubject) -> list[PersonFacts]:
    """The persons in the item, plus the subject's own person fields as one more."""
    own = PersonFacts(
        protection_status=subject.protection_status,
        feared_country=subject.feared_country,
        mistreatment_risk=subject.mistreatment_risk,
        activity_basis=subject.activity_basis,
    )
    return [own, *subject.persons]


def death_penalty_parties(subject: PolicySubject) -> list[str]:
    """Parties on the route whose law can punish one of the item's offences by death."""
    offences = set(subject.offences)
    return [
        party
        for party in route(subject)
        if party in vocab.DEATH_PENALTY and offences & vocab.DEATH_PENALTY[party].capital_offences
    ]


def _refoulement(subject: PolicySubject, statuses: frozenset[ProtectionStatus]) -> bool:
    parties = route(subject)
    return any(
        p.protection_status in statuses and p.feared_country in parties for p in everyone(subject)
    )


def feared_on_route(subject: PolicySubject) -> list[str]:
    """Countries on the route feared by a refugee claimant or protected person in the item."""
    parties = route(subject)
    feared = {
        p.feared_country
        for p in everyone(subject)
        if p.protection_status in AT_RISK and p.feared_country in parties
    }
    return [party for party in parties if party in feared]


def refoulement_risk(subject: PolicySubject) -> bool:
    """A refugee claimant or protected person in the item fears a party on the route."""
    return _refoulement(subject, AT_RISK)


def refoulement_unknown(subject: PolicySubject) -> bool:
    """A person whose status is unknown fears a party on the route."""
    return _refoulement(subject, frozenset({ProtectionStatus.UNKNOWN}))


def mistreatment_risk_any(subject: PolicySubject) -> bool:
    return any(p.mistreatment_risk for p in everyone(subject))


def advocacy_only(subject: PolicySubject) -> bool:
    """Someone in the item is known only for protected activity (advocacy, protest...)."""
    return any(
        p.activity_basis and set(p.activity_basis) <= vocab.PROTECTED_ACTIVITIES
        for p in everyone(subject)
    )


def security_offence(subject: PolicySubject) -> bool:
    """An alleged offence is an activity that undermines the security of Canada."""
    return any(vocab.OFFENCES[code].undermines_security for code in subject.offences)


DERIVED: dict[str, tuple[Any, Callable[[PolicySubject], Any]]] = {
    "route_parties": (list[str], route),
    "death_penalty_parties": (list[str], death_penalty_parties),
    "feared_on_route": (list[str], feared_on_route),
    "refoulement_risk": (bool, refoulement_risk),
    "refoulement_unknown": (bool, refoulement_unknown),
    "mistreatment_risk_any": (bool, mistreatment_risk_any),
    "advocacy_only": (bool, advocacy_only),
    "security_offence": (bool, security_offence),
}

# The subject fields each derived fact reads (for tests of what no rule reads).
_PERSON = frozenset({"protection_status", "feared_country", "persons"})
_ROUTE = frozenset({"recipient_party", "onward_recipient_party"})
FEEDS: dict[str, frozenset[str]] = {
    "route_parties": _ROUTE,
    "death_penalty_parties": _ROUTE | {"offences"},
    "feared_on_route": _ROUTE | _PERSON,
    "refoulement_risk": _ROUTE | _PERSON,
    "refoulement_unknown": _ROUTE | _PERSON,
    "mistreatment_risk_any": frozenset({"mistreatment_risk", "persons"}),
    "advocacy_only": frozenset({"activity_basis", "persons"}),
    "security_offence": frozenset({"offences"}),
}


def values_of(subject: PolicySubject) -> dict[str, Any]:
    """The subject's fields and the derived facts, by name (for context and explanations)."""
    values = dict(subject.__dict__)
    for name, (_, derive) in DERIVED.items():
        values[name] = derive(subject)
    return values
