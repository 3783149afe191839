"""Clusters from scored pairs, respecting the analysts' decisions.

Pairs an analyst confirmed are joined first; then scored pairs, strongest first, join
two clusters unless an analyst said that a record of one is not the person of a
record of the other ("split"), or the two hold full dates of birth that cannot be one
person's (neither equal, nor day/month swapped, nor one digit apart; the two scored
records' own dates excepted, which the model has weighed already): a year-only
record that matches two people does not chain them into one; nor does a record
without a family marker chain a Kaur to a Singh, or a Singh to a Kumar (names whose
markers are not one within the other's, ``markers_agree``). So a decision survives
every later run, and common names do not snowball.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from liaison.networks.model import MATCH_PROBABILITY, MATCH_WEIGHT
from liaison.networks.names import sex_of, swapped

Markers = frozenset[str]


def dates_agree(a: str, b: str) -> bool:
    """Dates of birth one person's records may carry: equal, day and month swapped, or
    one digit apart; a year-only date (``"1991"``) and a full one: their years so."""
    if len(a) != len(b):
        a, b = a[:4], b[:4]
    if a == b or (len(a) == 10 and a == swapped(b)):
        return True
    return sum(x != y for x, y in zip(a, b, strict=True)) <= 1


def markers_agree(a: Markers, b: Markers) -> bool:
    """Markers one person's records may carry: none on one side, or one set within the
    other ("Rajesh Kumar Singh" and "Rajesh Singh"; not "Rajesh Kumar" and "Rajesh
    Singh", nor a Kaur and a Singh)."""
    return not a or not b or (sex_of(a) == sex_of(b) and (a <= b or b <= a))


class Clusters:
    def __init__(
        self,
        ids: Iterable[str],
        dobs: dict[str, str] | None = None,
        markers: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.parent: dict[str, str] = {i: i for i in ids}
        self.apart: dict[str, set[str]] = {}  # root -> records it must not join
        self.dobs: dict[str, set[str]] = {k: {v} for k, v in (dobs or {}).items() if v}
        self.dob: dict[str, str] = dict(dobs or {})
        self.own_markers: dict[str, Markers] = {
            k: frozenset(v) for k, v in (markers or {}).items() if v
        }
        self.markers: dict[str, set[Markers]] = {k: {v} for k, v in self.own_markers.items()}
        self.decided: dict[str, set[str]] = {}  # record -> records an analyst split from it
        self.members: dict[str, list[str]] = {}  # root -> its records (roots of several)
        self.scored: dict[str, dict[str, float]] = {}  # record -> scored pairs' weights

    def weigh(self, pairs: Iterable[tuple[str, str, float]]) -> None:
        for a, b, weight in pairs:
            self.scored.setdefault(a, {})[b] = weight
            self.scored.setdefault(b, {})[a] = weight

    def linkage(self, a: str, b: str) -> float:
        """The mean weight of the scored pairs between the clusters of ``a`` and ``b``
        (average linkage): what all their records say, not only the closest two."""
        ra, rb = self.find(a), self.find(b)
        if len(self.members.get(ra, [ra])) > len(self.members.get(rb, [rb])):
            ra, rb = rb, ra  # read the smaller cluster's pairs
        cross = [
            weight
            for x in self.members.get(ra, [ra])
            for y, weight in self.scored.get(x, {}).items()
            if self.find(y) == rb
        ]
        return math.fsum(cross) / len(cross) if cross else -math.inf

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
        self.decided.setdefault(a, set()).add(b)
        self.decided.setdefault(b, set()).add(a)

    def may_join(self, record: str, root: str) -> bool:
        """Whether the record alone could be the person of the cluster ``root``: its
        date and markers agree with the cluster's, and no analyst split it from one of
        its records."""
        dob = self.dob.get(record, "")
        if dob and any(not dates_agree(dob, other) for other in self.dobs.get(root, ())):
            return False
        mine = self.own_markers.get(record)
        if mine and any(not markers_agree(mine, other) for other in self.markers.get(root, ())):
            return False
        return not any(self.find(x) == root for x in self.decided.get(record, ()))

    def _members_conflict(self, ra: str, rb: str, compared: tuple[str, str]) -> bool:
        """Dates that cannot be one person's, except the two records' own dates:
        the model weighed those when it scored the pair."""
        left, right = self.dobs.get(ra, set()), self.dobs.get(rb, set())
        if any(not dates_agree(x, y) and (x, y) != compared for x in left for y in right):
            return True
        left_markers, right_markers = self.markers.get(ra, set()), self.markers.get(rb, set())
        if any(not markers_agree(x, y) for x in left_markers for y in right_markers):
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
        self.members.setdefault(ra, [ra]).extend(self.members.pop(rb, [rb]))
        self.dobs.setdefault(ra, set()).update(self.dobs.pop(rb, set()))
        self.markers.setdefault(ra, set()).update(self.markers.pop(rb, set()))
        merged = self.apart.pop(rb, set())
        if merged:
            self.apart.setdefault(ra, set()).update(merged)
        return True

    def groups(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for item in self.parent:
            out.setdefault(self.find(item), []).append(item)
        return out


def _greedy(
    ids: list[str],
    pairs: list[tuple[str, str, float]],
    same: list[tuple[str, str]],
    apart: list[tuple[str, str]],
    dobs: dict[str, str] | None,
    markers: Mapping[str, Sequence[str]] | None,
) -> tuple[Clusters, list[tuple[str, str, float]]]:
    found = Clusters(ids, dobs, markers)
    found.weigh(pairs)
    for a, b in apart:
        found.keep_apart(a, b)
    for a, b in same:
        found.join(a, b, force=True)
    used: list[tuple[str, str, float]] = []
    for a, b, weight in pairs:  # strongest first, while the two clusters agree on average
        if (
            weight >= MATCH_WEIGHT
            and found.find(a) != found.find(b)
            and found.linkage(a, b) >= MATCH_WEIGHT
            and found.join(a, b)
        ):
            used.append((a, b, weight))
    return found, used


def share(weight: float, others: Iterable[float], alone: float = 1.0) -> float:
    """The probability that a record is the person of the cluster it matched with
    ``weight``, when it may instead be the person of one of the other clusters it
    matched (``others``: the weight for each) or of none: each is a hypothesis
    that excludes the rest, weighing 2**weight; "none of them" weighs ``alone``, the
    model's probability that a record's person has no other record (1: a pair's prior
    odds alone)."""
    odds = math.pow(2.0, weight)
    return odds / (alone + odds + math.fsum(math.pow(2.0, w) for w in others))


def _mean_weights(
    found: Clusters, pairs: list[tuple[str, str, float]]
) -> dict[str, dict[str, float]]:
    """Record -> each cluster it has a pair with -> the mean weight of those pairs."""
    seen: dict[str, dict[str, list[float]]] = {}
    for a, b, weight in pairs:
        for record, other in ((a, b), (b, a)):
            seen.setdefault(record, {}).setdefault(found.find(other), []).append(weight)
    return {r: {c: math.fsum(w) / len(w) for c, w in cs.items()} for r, cs in seen.items()}


def ambiguous(
    found: Clusters,
    pairs: list[tuple[str, str, float]],
    confirmed: set[str],
    alone: float = 1.0,
) -> set[str]:
    """Records the clustering joined although other clusters they could belong to are
    together about as likely to be their person: joining one is then less likely right
    than wrong. Each cluster weighs the mean of the record's pairs with it."""
    out: set[str] = set()
    for record, clusters in _mean_weights(found, pairs).items():
        own_root = found.find(record)
        own = clusters.get(own_root)
        if own is None or record in confirmed or len(clusters) < 2:
            continue
        others = [
            w for root, w in clusters.items() if root != own_root and found.may_join(record, root)
        ]
        if share(own, others, alone) < MATCH_PROBABILITY:
            out.add(record)
    return out


def attach(
    found: Clusters,
    pairs: list[tuple[str, str, float]],
    used: list[tuple[str, str, float]],
    alone: float,
    unsure: set[str],
) -> None:
    """Records left on their own join the cluster that is more likely their person's
    than all the others and none together (``share`` >= 0.5, the rule the ambiguity
    test keeps), although no single pair reached the match weight: "Kuldeep Singh
    Sidhu" without a date of birth, the only Kuldeep Singh Sidhu, is his. Two records
    on their own join only when each is the other's likeliest; a record the ambiguity
    test left alone neither joins nor is joined (it stays for an analyst), but counts
    as another candidate."""
    near: dict[str, list[tuple[str, float]]] = {}  # record -> its pairs, strongest first
    for a, b, weight in pairs:
        near.setdefault(a, []).append((b, weight))
        near.setdefault(b, []).append((a, weight))
    sizes: dict[str, int] = {}
    for item in found.parent:
        root = found.find(item)
        sizes[root] = sizes.get(root, 0) + 1

    def likeliest(record: str) -> tuple[str, str, float] | None:
        """(cluster, its record, weight) the record more likely belongs to than not."""
        own = found.find(record)
        options: dict[str, tuple[str, float]] = {}  # cluster -> its best pair with the record
        for other, weight in near.get(record, ()):
            root = found.find(other)
            if root != own and root not in options and found.may_join(record, root):
                options[root] = (other, weight)
        joinable = [root for root in options if root not in unsure]
        if not joinable:
            return None
        root, (other, weight) = joinable[0], options[joinable[0]]
        rest = [w for k, (_, w) in options.items() if k != root]
        return (root, other, weight) if share(weight, rest, alone) >= MATCH_PROBABILITY else None

    for record in [r for r in near if r not in unsure]:
        if found.find(record) != record or sizes.get(record) != 1:
            continue  # in a cluster (perhaps since another record joined it)
        choice = likeliest(record)
        if choice is None:
            continue
        root, other, weight = choice
        if sizes.get(root) == 1 and found.find(root) == root:  # a record on its own too:
            back = likeliest(root)  # it must find this record likeliest as well
            if back is None or back[0] != record:
                continue
        joined = sizes[record] + sizes[found.find(other)]
        if found.join(record, other):
            sizes[found.find(record)] = joined
            used.append((record, other, weight))


def cluster(
    ids: Iterable[str],
    pairs: Iterable[tuple[str, str, float]],
    same: Iterable[tuple[str, str]] = (),
    apart: Iterable[tuple[str, str]] = (),
    dobs: dict[str, str] | None = None,
    markers: Mapping[str, Sequence[str]] | None = None,
    alone: float = 1.0,
) -> tuple[dict[str, str], list[tuple[str, str, float]]]:
    """Record id -> cluster id (its smallest record id), and the pairs used to join.

    ``pairs`` may hold pairs below the match weight: they do not join, but they make a
    record's other candidates count. A record whose cluster is not more likely than its
    other candidates together (``ambiguous``) is left on its own, for an analyst; a
    record on its own whose likeliest cluster is more likely than the others and none
    together (``alone``: the model's probability of none) joins it (``attach``).
    """
    ids, same, apart = list(ids), list(same), list(apart)
    ordered = sorted(pairs, key=lambda p: -p[2])
    found, used = _greedy(ids, ordered, same, apart, dobs, markers)
    unsure = ambiguous(found, ordered, {x for pair in same for x in pair}, alone)
    if unsure:
        kept = [p for p in ordered if p[0] not in unsure and p[1] not in unsure]
        found, used = _greedy(ids, kept, same, apart, dobs, markers)
    attach(found, ordered, used, alone, unsure)
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
    alone: float = 1.0,
) -> tuple[dict[str, str], list[tuple[str, str, float]]]:
    """``cluster`` over person rows (``records.person_row``): their dates (full, or the
    year) and markers."""
    return cluster(
        [r["unique_id"] for r in rows],
        pairs,
        same,
        apart,
        dobs={r["unique_id"]: r.get("dob") or r.get("year") or "" for r in rows},
        markers={r["unique_id"]: r.get("markers") or [] for r in rows},
        alone=alone,
    )
