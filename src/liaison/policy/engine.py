"""The compiled engine: a set of validated packs turned into two Cedar policy sets.

* the **decision** set: a baseline ``permit``, one ``forbid`` per block rule and one
  ``permit`` per obligation rule, all on ``Action::"decide"``. One Cedar call
  answers Allow (reasons: the obligation rules that apply) or Deny (reasons: the
  block rules that fired).
* the **match** set: every rule as a ``permit`` on ``Action::"match"``. It answers
  "which rules apply" in full and is used only when the item is blocked (so the
  obligations are still listed) and by explain.

Both are parsed once per set of active packs and reused for every decision.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import cedarpy

from liaison.kit import clock
from liaison.policy.packs import PackSpec, RuleSpec, cedar_policy, check_conflicts, context_of
from liaison.policy.schemas import (
    Decision,
    Effect,
    Obligation,
    PolicySubject,
    RuleConsidered,
    RuleHit,
)

BASELINE_ID = "liaison.baseline"
_PRINCIPAL = 'Party::"{}"'
_RESOURCE = 'Item::"item"'


class _Fields(string.Formatter):
    """Formats explanations from the subject; lists read as comma-separated text."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, list):
            value = ", ".join(str(v) for v in value) or "none"
        if value is None or value == "":
            value = "none"
        return str(super().format_field(value, format_spec))


_FORMATTER = _Fields()


@dataclass(frozen=True)
class LoadedRule:
    pack: str
    pack_version: str
    spec: RuleSpec


@dataclass
class Engine:
    packs: tuple[PackSpec, ...]
    rules: dict[str, LoadedRule] = field(init=False)
    decide_set: cedarpy.PolicySet = field(init=False)
    match_set: cedarpy.PolicySet = field(init=False)

    def __post_init__(self) -> None:
        pairs = [(p.pack, r) for p in self.packs for r in p.rules]
        check_conflicts(pairs)
        self.rules = {r.id: LoadedRule(p.pack, p.version, r) for p in self.packs for r in p.rules}
        specs = [loaded.spec for loaded in self.rules.values()]
        baseline = (
            f'@id("{BASELINE_ID}")\npermit(principal, action == Action::"decide", resource);\n'
        )
        self.decide_set = cedarpy.PolicySet.from_str(
            baseline + "".join(cedar_policy(r) for r in specs)
        )
        self.match_set = cedarpy.PolicySet.from_str(
            "".join(cedar_policy(r, as_match=True) for r in specs)
        )

    def _request(self, subject: PolicySubject, action: str) -> dict[str, Any]:
        return {
            "principal": _PRINCIPAL.format(subject.sender_party.replace('"', "")),
            "action": f'Action::"{action}"',
            "resource": _RESOURCE,
            "context": context_of(subject),
        }

    def _fired(self, result: cedarpy.AuthzResult) -> list[str]:
        if result.diagnostics.errors:
            raise RuntimeError(f"policy evaluation error: {result.diagnostics.errors}")
        names = result.diagnostics.id_annotations_by_reason
        fired = {names[r] for r in result.diagnostics.reasons if r in names}
        fired.discard(BASELINE_ID)
        return [rule_id for rule_id in self.rules if rule_id in fired]  # pack order

    def matching(self, subject: PolicySubject) -> list[str]:
        """Every rule whose condition holds for the subject (pack order)."""
        result = cedarpy.is_authorized(self._request(subject, "match"), self.match_set, [])
        return self._fired(result)

    def evaluate(self, subject: PolicySubject, *, explain: bool = False) -> Decision:
        result = cedarpy.is_authorized(self._request(subject, "decide"), self.decide_set, [])
        fired = self._fired(result)
        blocked = result.decision is cedarpy.Decision.Deny
        if blocked or explain:
            fired = self.matching(subject)
        values = subject.model_dump()
        hits: list[RuleHit] = []
        obligations: list[Obligation] = []
        for rule_id in fired:
            loaded = self.rules[rule_id]
            spec = loaded.spec
            hits.append(
                RuleHit(
                    rule_id=spec.id,
                    pack=loaded.pack,
                    pack_version=loaded.pack_version,
                    effect=spec.effect,
                    citation=spec.citation,
                    explanation=_FORMATTER.vformat(spec.explanation, (), values),
                )
            )
            if spec.obligation is not None:
                obligations.append(self._obligation(spec, subject))
        effect = Effect.BLOCK if blocked else Effect.ALLOW
        if not blocked and obligations:
            effect = Effect.ALLOW_WITH_OBLIGATIONS
        considered = []
        if explain:
            considered = [
                RuleConsidered(
                    rule_id=rid,
                    pack=loaded.pack,
                    pack_version=loaded.pack_version,
                    citation=loaded.spec.citation,
                    description=loaded.spec.description,
                )
                for rid, loaded in self.rules.items()
                if rid not in fired
            ]
        return Decision(
            effect=effect, rules=hits, obligations=obligations, not_applicable=considered
        )

    @staticmethod
    def _obligation(spec: RuleSpec, subject: PolicySubject) -> Obligation:
        ob = spec.obligation
        assert ob is not None
        due = None
        if ob.due_from is not None and ob.due_hours is not None:
            start = clock.now() if ob.due_from == "now" else getattr(subject, ob.due_from)
            if start is not None:
                due = start + timedelta(hours=ob.due_hours)
        return Obligation(
            kind=ob.kind,
            rule_id=spec.id,
            citation=spec.citation,
            detail=ob.detail,
            fields=list(ob.fields),
            due=due,
        )
