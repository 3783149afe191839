"""Rule packs: TOML files of rules, parsed and validated before they may be used.

A pack is data: per rule an id, a description, a legal citation with an excerpt,
an explanation, a Cedar condition (``when``) over the ``context`` built from the
``PolicySubject``, and an effect — ``block`` (compiled to a Cedar ``forbid``) or
``obligation`` (compiled to a Cedar ``permit`` that attaches the obligation).

Validation refuses a pack, naming the rule, when: the TOML does not parse; a field
is missing or unknown; a condition does not parse or reads an attribute that the
context does not have (Cedar schema validation); an explanation names an unknown
field; a rule id appears twice (in the pack or in another active pack); or two
rules conflict. **Conflict** (our definition): two rules whose normalised
conditions are identical and whose outcomes contradict or duplicate each other —
a ``block`` and an ``obligation`` on the same condition (the obligation could never
take effect), or two obligations of the same kind on the same condition.
"""

from __future__ import annotations

import json
import re
import string
import tomllib
from collections.abc import Callable, Iterable
from datetime import datetime
from enum import StrEnum
from functools import cache
from importlib import resources
from types import UnionType
from typing import Any, Literal, get_args, get_origin

import cedarpy
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from liaison.kit.errors import FieldError, Message, ValidationFailed
from liaison.kit.i18n import Text, as_text
from liaison.kit.plugin import N_
from liaison.kit.validation import invalid_message
from liaison.policy.facts import DERIVED, values_of
from liaison.policy.schemas import ObligationKind, PolicySubject

RULE_ID_PATTERN = r"^[a-z0-9][a-z0-9_.\-]{2,99}$"
PACK_NAME_PATTERN = r"^[A-Z]{2}(-[A-Z]{2})?$"


class PackRefused(ValidationFailed):
    """A rule pack that cannot be loaded; the message names the rule."""

    code = "policy_pack_refused"
    title = N_("Rule pack refused")

    def __init__(self, detail: Message) -> None:
        super().__init__(detail, errors=[FieldError("source", detail)])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ObligationSpec(_Strict):
    kind: ObligationKind
    detail: str = Field(min_length=3, max_length=1000)
    fields: list[str] = Field(default_factory=list)
    due_from: str | None = Field(
        default=None, description="a datetime field of the subject, or 'now'"
    )
    due_hours: float | None = Field(default=None, gt=0)


class RuleSpec(_Strict):
    id: str = Field(pattern=RULE_ID_PATTERN)
    description: str = Field(min_length=3, max_length=500)
    citation: str = Field(min_length=3, max_length=500)
    excerpt: str = Field(default="", max_length=4000)
    explanation: str = Field(min_length=3, max_length=1000)
    effect: Literal["block", "obligation"]
    when: str = Field(min_length=1, max_length=4000)
    obligation: ObligationSpec | None = None


class PackSpec(_Strict):
    pack: str = Field(pattern=PACK_NAME_PATTERN, description="CA, IN or CA-IN (joint)")
    version: str = Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z.\-_+]+$")
    title: str = Field(min_length=3, max_length=200)
    rules: list[RuleSpec] = Field(alias="rule", min_length=1)

    def rule(self, rule_id: str) -> RuleSpec:
        return next(r for r in self.rules if r.id == rule_id)


# --- the Cedar view of a PolicySubject ------------------------------------------------


def _cedar_type(annotation: Any) -> dict[str, Any]:
    args = [a for a in get_args(annotation) if a is not type(None)]
    if get_origin(annotation) in (UnionType,) or (args and type(None) in get_args(annotation)):
        annotation = args[0]
    if get_origin(annotation) is list:
        return {"type": "Set", "element": {"type": "String"}}
    if annotation is bool:
        return {"type": "Boolean"}
    if annotation is datetime:
        return {"type": "Long"}
    if annotation is str or (isinstance(annotation, type) and issubclass(annotation, StrEnum)):
        return {"type": "String"}
    raise TypeError(f"no Cedar type for {annotation!r}")


NOT_IN_CONTEXT = frozenset({"persons"})
# The subject's own attributes (``persons`` is read through the derived facts) and the
# facts derived from it (``facts.DERIVED``): everything a rule may read.
SUBJECT_FIELDS: dict[str, Any] = {
    name: field.annotation
    for name, field in PolicySubject.model_fields.items()
    if name not in NOT_IN_CONTEXT
} | {name: annotation for name, (annotation, _) in DERIVED.items()}
DATETIME_FIELDS = frozenset(n for n, a in SUBJECT_FIELDS.items() if datetime in get_args(a))
CONTEXT_TYPES = {name: _cedar_type(a) for name, a in SUBJECT_FIELDS.items()}
ACTIONS = ("decide", "match")

CEDAR_SCHEMA = json.dumps(
    {
        "": {
            "entityTypes": {"Party": {}, "Item": {}},
            "actions": {
                action: {
                    "appliesTo": {
                        "principalTypes": ["Party"],
                        "resourceTypes": ["Item"],
                        "context": {"type": "Record", "attributes": CONTEXT_TYPES},
                    }
                }
                for action in ACTIONS
            },
        }
    }
)


def _as_text(value: Any) -> Any:
    return "" if value is None else str(value)


def _as_epoch(value: Any) -> int:
    return 0 if value is None else int(value.timestamp())


def _as_is(value: Any) -> Any:
    return value


def _converter(name: str) -> Callable[[Any], Any]:
    kind = CONTEXT_TYPES[name]["type"]
    return {"String": _as_text, "Long": _as_epoch}.get(kind, _as_is)


CONVERTERS: dict[str, Callable[[Any], Any]] = {name: _converter(name) for name in SUBJECT_FIELDS}


def context_of(subject: PolicySubject, names: Iterable[str] = CONVERTERS.keys()) -> dict[str, Any]:
    """The Cedar context: absent text is "", absent times 0, times as epoch seconds."""
    values = values_of(subject)
    return {name: CONVERTERS[name](values[name]) for name in names}


def cedar_policy(rule: RuleSpec, *, as_match: bool = False) -> str:
    """The Cedar text of a rule: ``forbid`` for a block, ``permit`` for an obligation.

    ``as_match`` turns every rule into a ``permit`` on the ``match`` action, used to
    list every rule that applies (explain, obligations on a blocked item).
    """
    head = "permit" if as_match or rule.effect == "obligation" else "forbid"
    action = "match" if as_match else "decide"
    return (
        f'@id("{rule.id}")\n{head}(principal, action == Action::"{action}", resource)\n'
        f"when {{ {rule.when} }};\n"
    )


def _normalise(condition: str) -> str:
    return re.sub(r"\s+", "", condition)


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _check_rule(rule: RuleSpec) -> None:
    where = Text(N_("rule %(id)s"), id=rule.id)
    unknown = _placeholders(rule.explanation) - SUBJECT_FIELDS.keys()
    if unknown:
        raise PackRefused(
            Text(
                N_("%(where)s: explanation names unknown attribute(s) %(unknown)s"),
                where=where,
                unknown=sorted(unknown),
            )
        )
    if rule.effect == "obligation" and rule.obligation is None:
        raise PackRefused(
            Text(N_("%(where)s: an obligation rule needs an [rule.obligation] table"), where=where)
        )
    if rule.effect == "block" and rule.obligation is not None:
        raise PackRefused(
            Text(N_("%(where)s: a block rule cannot carry an obligation"), where=where)
        )
    ob = rule.obligation
    if ob is not None and ob.due_from is not None:
        if ob.due_from != "now" and ob.due_from not in DATETIME_FIELDS:
            raise PackRefused(
                Text(
                    N_("%(where)s: due_from %(due_from)r is not a time attribute"),
                    where=where,
                    due_from=ob.due_from,
                )
            )
        if ob.due_hours is None:
            raise PackRefused(Text(N_("%(where)s: due_from needs due_hours"), where=where))
    code = re.sub(r'"(?:[^"\\]|\\.)*"', '""', rule.when)  # string literals aside
    if re.search(r"\b(principal|resource|action)\b", code):
        raise PackRefused(
            Text(
                N_("%(where)s: a condition reads context only, not principal/resource/action"),
                where=where,
            )
        )
    text = cedar_policy(rule)
    try:
        compiled = cedarpy.PolicySet.from_str(text)
    except ValueError as exc:
        raise PackRefused(
            Text(N_("%(where)s: the condition does not parse: %(exc)s"), where=where, exc=exc)
        ) from exc
    if len(compiled) != 1:
        raise PackRefused(
            Text(
                N_("%(where)s: the condition must be one expression, not extra policies"),
                where=where,
            )
        )
    result = cedarpy.validate_policies(text, CEDAR_SCHEMA)
    if not result.validation_passed:
        errors = "; ".join(e.error for e in result.errors)
        raise PackRefused(Text(N_("%(where)s: %(errors)s"), where=where, errors=errors))


def check_conflicts(rules: list[tuple[str, RuleSpec]]) -> None:
    """Refuse duplicate rule ids and conflicting rules across ``(pack, rule)`` pairs."""
    seen: dict[str, str] = {}
    by_condition: dict[str, list[RuleSpec]] = {}
    for pack, rule in rules:
        if rule.id in seen:
            raise PackRefused(
                Text(
                    N_("rule %(id)s: the id is used twice (packs %(seen)s and %(pack)s)"),
                    id=rule.id,
                    seen=seen[rule.id],
                    pack=pack,
                )
            )
        seen[rule.id] = pack
        for other in by_condition.setdefault(_normalise(rule.when), []):
            if rule.effect != other.effect:
                raise PackRefused(
                    Text(
                        N_(
                            "rule %(id)s: conflicts with rule %(id2)s (a block and an "
                            "obligation on the same condition)"
                        ),
                        id=rule.id,
                        id2=other.id,
                    )
                )
            kinds = {o.kind for o in (rule.obligation, other.obligation) if o is not None}
            if rule.obligation and other.obligation and len(kinds) == 1:
                raise PackRefused(
                    Text(
                        N_(
                            "rule %(id)s: conflicts with rule %(id2)s (two %(kind)s "
                            "obligations on the same condition)"
                        ),
                        id=rule.id,
                        id2=other.id,
                        kind=rule.obligation.kind,
                    )
                )
        by_condition[_normalise(rule.when)].append(rule)


def _rule_name(raw: Any, loc: tuple[int | str, ...]) -> Text:
    if len(loc) >= 2 and loc[0] == "rule" and isinstance(loc[1], int):
        rules = raw.get("rule") if isinstance(raw, dict) else None
        if isinstance(rules, list) and loc[1] < len(rules) and isinstance(rules[loc[1]], dict):
            return Text(N_("rule %(id)s"), id=rules[loc[1]].get("id", f"#{loc[1] + 1}"))
        return Text(N_("rule %(id)s"), id=f"#{int(loc[1]) + 1}")
    return Text(N_("pack"))


def parse_pack(source: str) -> PackSpec:
    """Parse and validate a pack's TOML text, or raise PackRefused naming the rule."""
    try:
        raw = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise PackRefused(Text(N_("pack: not valid TOML: %(exc)s"), exc=exc)) from exc
    try:
        pack = PackSpec.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        field = ".".join(str(p) for p in loc[2:]) or ".".join(str(p) for p in loc)
        raise PackRefused(
            Text(
                N_("%(rule)s: %(field)s: %(problem)s"),
                rule=_rule_name(raw, loc),
                field=field,
                problem=as_text(invalid_message(first)),
            )
        ) from exc
    for rule in pack.rules:
        _check_rule(rule)
    check_conflicts([(pack.pack, rule) for rule in pack.rules])
    return pack


SHIPPED = ("ca.toml", "in.toml", "ca-in.toml")


def shipped_sources() -> dict[str, str]:
    """The packs that ship with Liaison, by file name."""
    folder = resources.files("liaison.policy") / "packs"
    return {name: (folder / name).read_text(encoding="utf-8") for name in SHIPPED}


@cache
def shipped_packs() -> tuple[PackSpec, ...]:
    return tuple(parse_pack(text) for text in shipped_sources().values())
