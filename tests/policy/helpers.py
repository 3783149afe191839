"""A plain, lawful draft to start every rule test from, and a shared engine."""

from __future__ import annotations

from functools import cache
from typing import Any

from liaison.policy.engine import Engine
from liaison.policy.packs import shipped_packs
from liaison.policy.schemas import Decision, PolicySubject

BASE: dict[str, Any] = {
    "direction": "outbound",
    "kind": "message",
    "sender_party": "CA",
    "recipient_party": "IN",
    "originator_party": "CA",
    "message_type": "disclosure",
    "tlp": "AMBER",
    "handling_code": "intelligence_only",
    "legal_basis": "police_cooperation",
    "legal_basis_reference": "Privacy Act s.8(2)(f); CA-IN arrangement 2026",
}


def subject(**changes: Any) -> PolicySubject:
    return PolicySubject.model_validate(BASE | changes)


@cache
def engine() -> Engine:
    return Engine(shipped_packs())


def decide(**changes: Any) -> Decision:
    return engine().evaluate(subject(**changes))


def fired(decision: Decision) -> set[str]:
    return set(decision.rule_ids)


def obligation_kinds(decision: Decision) -> set[str]:
    return {ob.kind.value for ob in decision.obligations}
