"""The compiled engine: a set of validated packs turned into two Cedar policy sets.

* the **decision** set: a baseline ``permit``, one ``forbid`` per block rule and one
  ``permit`` per obligation rule, all on ``Action::"decide"``. One Cedar call
  answers Allow (reasons: the obligation rules that apply) or Deny (reasons: the
  block rules that fired).
* the **match** set: every rule as a ``permit`` on ``Action::"match"``. It answers
  "which rules apply" in full and is used only when the item is blocked (so the
  obligations are still listed) and by explain.

Both are parsed once per set of active packs and reused for every decision. The
Cedar context holds only the attributes the rules read, and Cedar's answer for a
given context is remembered (bounded): the same context always gets the same
answer from the same policy set, so this changes speed, never a decision.
Explanations and due dates are still computed from each subject.

Rules read ``context`` only (principal and resource are fixed placeholders).
"""

from __future__ import annotations

import json
import re
import string
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import cedarpy

from liaison.kit import clock
from liaison.kit.words import humanize
from liaison.policy import vocab
from liaison.policy.facts import values_of
from liaison.policy.packs import (
    CONVERTERS,
    PackSpec,
    RuleSpec,
    cedar_policy,
    check_conflicts,
    context_of,
)
from liaison.policy.schemas import (
    Decision,
    Effect,
    Obligation,
    PolicySubject,
    RuleConsidered,
    RuleHit,
)

BASELINE_ID = "liaison.baseline"
_PRINCIPAL = {"type": "Party", "id": "sender"}
_RESOURCE = {"type": "Item", "id": "item"}
_NO_ENTITIES = "[]"
MEMO_SIZE = 8192
_READS = re.compile(r"context\.([A-Za-z_]+)|context\s+has\s+([A-Za-z_]+)")


# Subject fields whose values are codes: an explanation shows their words.
_WORDED = frozenset({"legal_basis", "protection_status", "activity_basis"})


def _shown(name: str, value: Any) -> str:
    """A subject value in an explanation: offences by their label, codes in words, lists
    as comma-separated text, absent as 'none'."""
    if isinstance(value, list):
        return ", ".join(_shown(name, v) for v in value) if value else "none"
    if value is None or value == "":
        return "none"
    if name == "offences" and str(value) in vocab.OFFENCES:
        return vocab.OFFENCES[str(value)].label
    if name in _WORDED:
        return humanize(value).lower() if name != "legal_basis" else humanize(value)
    return str(value)


@dataclass(frozen=True)
class Template:
    """An explanation with ``{field}`` placeholders, parsed once."""

    parts: tuple[tuple[str, str | None], ...]

    @classmethod
    def parse(cls, text: str) -> Template:
        return cls(tuple((lit, name) for lit, name, _, _ in string.Formatter().parse(text)))

    def render(self, values: dict[str, Any]) -> str:
        return "".join(
            lit + (_shown(name, values[name]) if name else "") for lit, name in self.parts
        )


@dataclass(frozen=True)
class LoadedRule:
    pack: str
    pack_version: str
    spec: RuleSpec
    explanation: Template


@dataclass
class Engine:
    packs: tuple[PackSpec, ...]
    rules: dict[str, LoadedRule] = field(init=False)
    decide_set: cedarpy.PolicySet = field(init=False)
    match_set: cedarpy.PolicySet = field(init=False)
    reads: tuple[str, ...] = field(init=False)
    _memo: dict[tuple[str, str], tuple[bool, tuple[str, ...]]] = field(
        init=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        check_conflicts([(p.pack, r) for p in self.packs for r in p.rules])
        self.rules = {
            r.id: LoadedRule(p.pack, p.version, r, Template.parse(r.explanation))
            for p in self.packs
            for r in p.rules
        }
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
        conditions = [r.when for r in specs]
        if any("context[" in c for c in conditions):  # indexed access: the whole context
            self.reads = tuple(CONVERTERS)
        else:
            found = {a or b for c in conditions for a, b in _READS.findall(c)}
            self.reads = tuple(name for name in CONVERTERS if name in found)

    def context_json(self, subject: PolicySubject) -> str:
        """The Cedar context as JSON: only the attributes some rule reads."""
        return json.dumps(context_of(subject, self.reads))

    def _ask(self, context: str, action: str) -> tuple[bool, tuple[str, ...]]:
        """(denied, fired rule ids) from Cedar, remembered per (action, context)."""
        key = (action, context)
        answer = self._memo.get(key)
        if answer is None:
            request = {
                "principal": _PRINCIPAL,
                "action": {"type": "Action", "id": action},
                "resource": _RESOURCE,
                "context": context,
            }
            policies = self.decide_set if action == "decide" else self.match_set
            result = cedarpy.is_authorized(request, policies, _NO_ENTITIES)
            answer = (result.decision is cedarpy.Decision.Deny, self._fired(result))
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = answer
        return answer

    def _fired(self, result: cedarpy.AuthzResult) -> tuple[str, ...]:
        if result.diagnostics.errors:
            raise RuntimeError(f"policy evaluation error: {result.diagnostics.errors}")
        names = result.diagnostics.id_annotations_by_reason
        fired = {names[r] for r in result.diagnostics.reasons if r in names}
        return tuple(rule_id for rule_id in self.rules if rule_id in fired)  # pack order

    def matching(self, subject: PolicySubject) -> list[str]:
        """Every rule whose condition holds for the subject (pack order)."""
        return list(self._ask(self.context_json(subject), "match")[1])

    def evaluate(self, subject: PolicySubject, *, explain: bool = False) -> Decision:
        context = self.context_json(subject)
        blocked, fired = self._ask(context, "decide")
        if blocked or explain:
            fired = self._ask(context, "match")[1]
        values = values_of(subject)
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
                    explanation=loaded.explanation.render(values),
                )
            )
            if spec.obligation is not None:
                obligations.append(self._obligation(spec, subject))
        effect = Effect.BLOCK if blocked else Effect.ALLOW
        if not blocked and obligations:
            effect = Effect.ALLOW_WITH_OBLIGATIONS
        considered = []
        if explain:
            considered = [self._considered(ld) for r, ld in self.rules.items() if r not in fired]
        return Decision(
            effect=effect, rules=hits, obligations=obligations, not_applicable=considered
        )

    @staticmethod
    def _considered(loaded: LoadedRule) -> RuleConsidered:
        return RuleConsidered(
            rule_id=loaded.spec.id,
            pack=loaded.pack,
            pack_version=loaded.pack_version,
            citation=loaded.spec.citation,
            description=loaded.spec.description,
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
