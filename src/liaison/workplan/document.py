"""The plan document as both nodes sign it: canonical bytes, hash, change sets, diffs.

Pure functions. Both nodes compute the next version from the same base and the same
(normalised) change set, so they hold byte-identical documents with the same hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from liaison.kit.errors import ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.workplan.schemas import (
    Action,
    AddAction,
    Change,
    DiffEntry,
    Milestone,
    PlanDocument,
    RemoveAction,
    UpdateAction,
)

KnownAgencies = Mapping[str, set[str]]


def canonical(document: PlanDocument) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8: one byte string per document."""
    data = document.model_dump(mode="json")
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sha256_of(document_bytes: bytes) -> str:
    return hashlib.sha256(document_bytes).hexdigest()


def parse(document_text: str) -> PlanDocument:
    return PlanDocument.model_validate_json(document_text)


def _with_ids(milestones: list[Milestone], new_id: Callable[[], str]) -> list[Milestone]:
    return [m if m.id else m.model_copy(update={"id": new_id()}) for m in milestones]


def normalise(changes: list[Change], new_id: Callable[[], str]) -> list[Change]:
    """Give new actions and milestones their ids once, at the proposer, so both nodes
    apply exactly the same change set."""
    result: list[Change] = []
    for change in changes:
        if isinstance(change, AddAction):
            action = change.action
            action = action.model_copy(
                update={
                    "id": action.id or new_id(),
                    "milestones": _with_ids(action.milestones, new_id),
                }
            )
            result.append(AddAction(op="add_action", action=action))
        elif isinstance(change, UpdateAction) and change.milestones is not None:
            result.append(
                change.model_copy(update={"milestones": _with_ids(change.milestones, new_id)})
            )
        else:
            result.append(change)
    return result


def has_all_ids(changes: list[Change]) -> bool:
    """A change set from a peer must come normalised (every new item has its id)."""
    for change in changes:
        milestones: list[Milestone] = []
        if isinstance(change, AddAction):
            if change.action.id is None:
                return False
            milestones = change.action.milestones
        elif isinstance(change, UpdateAction):
            milestones = change.milestones or []
        if any(m.id is None for m in milestones):
            return False
    return True


def dump_changes(changes: list[Change]) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json", exclude_none=True) for c in changes]


def _check_action(action: Action, document: PlanDocument, known: KnownAgencies, where: str) -> None:
    areas = {area.key for area in document.areas}
    if action.area not in areas:
        raise ValidationFailed.on_field(
            f"{where}.area",
            Text(
                N_("unknown priority area '%(area)s'; one of %(areas)s"),
                area=action.area,
                areas=sorted(areas),
            ),
        )
    if sorted(action.leads) != sorted(document.parties):
        raise ValidationFailed.on_field(
            f"{where}.leads",
            Text(
                N_("name one lead agency for each party: %(parties)s"),
                parties=", ".join(document.parties),
            ),
        )
    for party, acronym in sorted(action.leads.items()):
        if acronym not in known.get(party, set()):
            raise ValidationFailed.on_field(
                f"{where}.leads.{party}",
                Text(
                    N_("'%(acronym)s' is not a known agency of %(party)s"),
                    acronym=acronym,
                    party=party,
                ),
            )
    period = document.period
    for index, milestone in enumerate(action.milestones):
        if not period.start <= milestone.due <= period.end:
            raise ValidationFailed.on_field(
                f"{where}.milestones[{index}].due",
                Text(
                    N_("%(due)s is outside the plan period %(start)s to %(end)s"),
                    due=milestone.due.isoformat(),
                    start=period.start.isoformat(),
                    end=period.end.isoformat(),
                ),
            )


def check_plan(document: PlanDocument, known: KnownAgencies) -> None:
    """A plan adopted as version 1: every action checked against the plan's own parties."""
    seen: set[str | None] = set()
    for index, action in enumerate(document.actions):
        ids = [action.id, *(m.id for m in action.milestones)]
        if None in ids:
            raise ValidationFailed.on_field(
                f"actions[{index}].id",
                N_(
                    "every action and milestone carries its id, so every party adopts the same plan"
                ),
            )
        if seen.intersection(ids) or len(set(ids)) != len(ids):
            raise ValidationFailed.on_field(
                f"actions[{index}].id", N_("an id is used twice in the plan")
            )
        seen.update(ids)
    for index, action in enumerate(document.actions):
        _check_action(action, document, known, f"actions[{index}]")


def apply(
    base: PlanDocument,
    base_sha256: str,
    changes: list[Change],
    proposal_id: str,
    known: KnownAgencies,
) -> PlanDocument:
    """The next version: ``base`` with ``changes`` applied, checked, numbered N+1."""
    actions = {action.id: action for action in base.actions}
    for index, change in enumerate(changes):
        where = f"changes[{index}]"
        if isinstance(change, AddAction):
            if change.action.id in actions:
                raise ValidationFailed.on_field(
                    f"{where}.action.id", N_("this action already exists")
                )
            _check_action(change.action, base, known, f"{where}.action")
            actions[change.action.id] = change.action
            continue
        if change.action_id not in actions:
            raise ValidationFailed.on_field(
                f"{where}.action_id",
                Text(
                    N_("no action %(action_id)s in version %(number)s"),
                    action_id=change.action_id,
                    number=base.number,
                ),
            )
        if isinstance(change, RemoveAction):
            del actions[change.action_id]
            continue
        fields = change.model_dump(exclude={"op", "action_id"}, exclude_none=True)
        updated = actions[change.action_id].model_copy(
            update={k: getattr(change, k) for k in fields}
        )
        _check_action(updated, base, known, where)
        actions[change.action_id] = updated
    return base.model_copy(
        update={
            "number": base.number + 1,
            "base_sha256": base_sha256,
            "proposal": proposal_id,
            "actions": sorted(actions.values(), key=lambda a: a.id or ""),
        }
    )


_COMPARED = ("area", "description", "leads", "deliverables", "milestones", "status")


def diff(old: PlanDocument, new: PlanDocument) -> list[DiffEntry]:
    before = {a.id or "": a for a in old.actions}
    after = {a.id or "": a for a in new.actions}
    entries: list[DiffEntry] = []
    for action_id in sorted(before.keys() | after.keys()):
        if action_id not in before:
            entries.append(
                DiffEntry(
                    action_id=action_id, kind="added", description=after[action_id].description
                )
            )
        elif action_id not in after:
            entries.append(
                DiffEntry(
                    action_id=action_id, kind="removed", description=before[action_id].description
                )
            )
        else:
            a = before[action_id].model_dump(mode="json")
            b = after[action_id].model_dump(mode="json")
            changed = {f: (a[f], b[f]) for f in _COMPARED if a[f] != b[f]}
            if changed:
                entries.append(
                    DiffEntry(
                        action_id=action_id,
                        kind="changed",
                        description=after[action_id].description,
                        fields=changed,
                    )
                )
    return entries
