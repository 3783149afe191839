"""Clusters from scored pairs, respecting the analysts' decisions.

Pairs an analyst confirmed are joined first; then scored pairs, strongest first, join
two clusters unless an analyst said that a record of one is not the person of a
record of the other ("split"), or the two hold full dates of birth that cannot be one
person's (neither equal, nor day/month swapped, nor one digit apart; the two scored
records' own dates excepted, which the model has weighed already): a year-only
record that matches two people does not chain them into one; nor does a record
without a family marker chain a Kaur to a Singh. So a decision survives
every later run, and common names do not snowball.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from liaison.networks.names import swapped


def dates_agree(a: str, b: str) -> bool:
    if a == b or a == swapped(b):
        return True
    return sum(x != y for x, y in zip(a, b, strict=True)) <= 1 if len(a) == len(b) else False


class Clusters:
    def __init__(
        self,
        ids: Iterable[str],
        dobs: dict[str, str] | None = None,
        sexes: dict[str, str] | None = None,
    ) -> None:
        self.parent: dict[str, str] = {i: i for i in ids}
        self.apart: dict[str, set[str]] = {}  # root -> records it must not join
        self.dobs: dict[str, set[str]] = {k: {v} for k, v in (dobs or {}).items() if v}
        self.dob: dict[str, str] = dict(dobs or {})
        self.sexes: dict[str, set[str]] = {k: {v} for k, v in (sexes or {}).items() if v}

    def find(self, item: str) -> str:
        parent = self.parent.setdefault(item, item)
        while parent != self.parent[parent]:
            self.parent[parent] = self.parent[self.parent[parent]]
            parent = self.parent[parent]
        self.parent[item] = parent
        return parent

    def keep_apart(self, a: str, b: str) -> None:
        self.apart.setdefault(self.find(a), set()).add(b)
        self.apart.setdefault(self.find(b), set()).add(a)

    def _members_conflict(self, ra: str, rb: str, compared: tuple[str, str]) -> bool:
        """Dates that cannot be one person's, except the two records' own dates:
        the model weighed those when it scored the pair."""
        left, right = self.dobs.get(ra, set()), self.dobs.get(rb, set())
        if any(not dates_agree(x, y) and (x, y) != compared for x in left for y in right):
            return True
        if len(self.sexes.get(ra, set()) | self.sexes.get(rb, set())) > 1:
            return True  # a Kaur and a Singh are not one person, whoever links them
        for root, other in ((ra, rb), (rb, ra)):
            if any(self.find(x) == other for x in self.apart.get(root, ())):
                return True
        return False

    def join(self, a: str, b: str, *, force: bool = False) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        compared = (self.dob.get(a, ""), self.dob.get(b, ""))
        if not force and self._members_conflict(ra, rb, compared):
            return False
        self.parent[rb] = ra
        self.dobs.setdefault(ra, set()).update(self.dobs.pop(rb, set()))
        self.sexes.setdefault(ra, set()).update(self.sexes.pop(rb, set()))
        merged = self.apart.pop(rb, set())
        if merged:
            self.apart.setdefault(ra, set()).update(merged)
        return True

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for item in self.parent:
            out.setdefault(self.find(item), []).append(item)
        return out


def cluster(
    ids: Iterable[str],
    pairs: Iterable[tuple[str, str, float]],
    same: Iterable[tuple[str, str]] = (),
    apart: Iterable[tuple[str, str]] = (),
    dobs: dict[str, str] | None = None,
    sexes: dict[str, str] | None = None,
) -> tuple[dict[str, str], list[tuple[str, str, float]]]:
    """Record id -> cluster id (its smallest record id), and the pairs used to join."""
    found = Clusters(ids, dobs, sexes)
    for a, b in apart:
        found.keep_apart(a, b)
    for a, b in same:
        found.join(a, b, force=True)
    used: list[tuple[str, str, float]] = []
    for a, b, weight in sorted(pairs, key=lambda p: -p[2]):
        if found.find(a) != found.find(b) and found.join(a, b):
            used.append((a, b, weight))
    out: dict[str, str] = {}
    for members in found.groups().values():
        label = min(members)
        for member in members:
            out[member] = label
    return out, used


def cluster_rows(
    rows: Sequence[dict[str, Any]],
    pairs: Iterable[tuple[str, str, float]],
    same: Iterable[tuple[str, str]] = (),
    apart: Iterable[tuple[str, str]] = (),
) -> tuple[dict[str, str], list[tuple[str, str, float]]]:
    """``cluster`` over person rows (``records.person_row``): their dates and sexes."""
    return cluster(
        [r["unique_id"] for r in rows],
        pairs,
        same,
        apart,
        dobs={r["unique_id"]: r.get("dob") or "" for r in rows},
        sexes={r["unique_id"]: r.get("sex") or "" for r in rows},
    )
