"""Resolution runs: the full run over the node's messages, and the incremental run
that resolves a new message's records against the existing clusters.

Full run: every message's records are rebuilt; the person model is trained on them
(Splink, EM, no labels) when there are at least ``TRAIN_AT_LEAST`` person records,
else the latest trained model or the shipped defaults (trained the same way on a
generated set) score the pairs; the analysts' decisions bind the clustering. Other
entities resolve on their exchange match key. Incremental run: each new person
record is scored against the records that share a blocking key (a warm in-memory
index, ``index``, does the blocking and the scoring in one query), and joins the
best-scoring cluster when that is more likely than all its other candidate clusters
and "none of them" together (``cluster.share``, the full run's rule) and the decisions, dates
and markers allow it; else it starts its own. It never merges two existing clusters
(the next full run may).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from liaison.models import (
    Message,
    MessageEntity,
    NetworkCluster,
    NetworkDecision,
    NetworkModel,
    NetworkRecord,
)
from liaison.networks import records as extract
from liaison.networks.cluster import Clusters, cluster_rows, share
from liaison.networks.index import PersonIndex, person_index
from liaison.networks.model import (
    CANDIDATE_WEIGHT,
    MATCH_PROBABILITY,
    Weights,
    probability,
)
from liaison.networks.score import Scored, score_all, score_calibrated

TRAIN_AT_LEAST = 300
BATCH = 200


@dataclass(frozen=True)
class RunReport:
    records: int
    persons: int
    clusters: int
    trained: bool
    seconds: float


@cache
def default_weights() -> Weights:
    text = resources.files("liaison.networks").joinpath("default_weights.json").read_text()
    return Weights.from_json(json.loads(text))


def current_weights(db: Session) -> Weights:
    """The latest trained model, unless it was trained on other comparisons (an older
    release's): then the shipped defaults, until the next full run trains again."""
    latest = db.scalar(select(NetworkModel).order_by(NetworkModel.id.desc()).limit(1))
    weights = Weights.from_json(latest.weights) if latest else None
    return weights if weights is not None and weights.fits() else default_weights()


def key_cluster(key: str) -> str:
    return "k" + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:40]


def _why(a: str, b: str, weight: float, parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "a": a,
        "b": b,
        "weight": round(weight, 2),
        "probability": round(probability(weight), 4),
        "levels": parts,
    }


def _records_of(message: Message) -> list[NetworkRecord]:
    out: list[NetworkRecord] = []
    for found in extract.from_entities(message.id, list(message.entities or [])):
        row = found.person
        out.append(
            NetworkRecord(
                id=found.id,
                message_id=message.id,
                kind=found.kind,
                label=found.label[:300],
                key=found.key,
                party=message.originator_party,
                cluster_id=key_cluster(found.key) if found.key else found.id,
                name_key=row.get("name_key"),
                first_key=row.get("first_key"),
                last_key=row.get("last_key"),
                dob=row.get("dob"),
                year=row.get("year"),
                person=row,
            )
        )
    return out


def _decisions(db: Session) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    same: list[tuple[str, str]] = []
    apart: list[tuple[str, str]] = []
    for decision in db.scalars(select(NetworkDecision).order_by(NetworkDecision.decided_at)):
        (same if decision.same else apart).append((decision.record_a, decision.record_b))
    return same, apart


def _train(db: Session, rows: list[dict[str, Any]]) -> tuple[Weights, list[Scored]]:
    """A model trained on the rows, its prior calibrated on them, and their scored pairs."""
    import pandas as pd  # type: ignore[import-untyped]

    from liaison.networks.model import train

    started = time.perf_counter()
    _, trained = train(pd.DataFrame(rows))
    weights, scored = score_calibrated(rows, trained)
    db.add(
        NetworkModel(
            weights=weights.to_json(),
            records=len(rows),
            seconds=round(time.perf_counter() - started, 3),
        )
    )
    return weights, scored


def full_run(db: Session, *, train: bool = True) -> RunReport:
    started = time.perf_counter()
    rows_out: list[NetworkRecord] = []
    for message in db.scalars(select(Message).order_by(Message.id)):
        rows_out.extend(_records_of(message))
    persons = [r for r in rows_out if r.kind == "person"]
    person_rows = [r.person for r in persons]
    trained = train and len(person_rows) >= TRAIN_AT_LEAST
    if trained:
        weights, scored = _train(db, person_rows)
    else:
        weights = current_weights(db)
        scored = score_all(person_rows, weights, at_least=CANDIDATE_WEIGHT)
    same, apart = _decisions(db)
    known = {r.id for r in persons}
    mapping, used = cluster_rows(
        person_rows,
        [(a, b, w) for a, b, w, _ in scored],
        same=[p for p in same if p[0] in known and p[1] in known],
        apart=[p for p in apart if p[0] in known and p[1] in known],
        alone=weights.alone,
    )
    explained = {(a, b): parts for a, b, _, parts in scored}
    why: dict[str, list[dict[str, Any]]] = {}
    for a, b, weight in used:
        why.setdefault(mapping[a], []).append(_why(a, b, weight, explained[(a, b)]))
    for record in persons:
        record.cluster_id = mapping[record.id]
    confirmed = {mapping[a] for a, b in same if a in mapping}
    db.execute(delete(NetworkRecord))
    db.execute(delete(NetworkCluster))
    db.add_all(rows_out)
    clusters = _clusters(rows_out, why, confirmed)
    db.add_all(clusters)
    db.flush()
    return RunReport(
        len(rows_out), len(persons), len(clusters), trained, time.perf_counter() - started
    )


def _label(members: list[NetworkRecord]) -> str:
    latin = [m.label for m in members if m.label.isascii()]
    return Counter(latin or [m.label for m in members]).most_common(1)[0][0]


def _clusters(
    rows: list[NetworkRecord], why: dict[str, list[dict[str, Any]]], confirmed: set[str]
) -> list[NetworkCluster]:
    groups: dict[str, list[NetworkRecord]] = {}
    for row in rows:
        groups.setdefault(row.cluster_id, []).append(row)
    return [
        NetworkCluster(
            id=cid,
            kind=members[0].kind,
            label=_label(members)[:300],
            size=len(members),
            confirmed=cid in confirmed,
            why=why.get(cid, []),
        )
        for cid, members in groups.items()
    ]


def resolve_message(db: Session, message: Message, weights: Weights | None = None) -> int:
    """Resolve one message's records against the existing clusters; returns how many."""
    fresh = _records_of(message)
    if not fresh:
        return 0
    weights = weights or current_weights(db)
    _, apart = _decisions(db)
    index = person_index(db)
    for record in fresh:
        if record.kind == "person":
            _join_best(db, record, weights, apart, index)
        db.add(record)
        db.flush()
        index.add(record.person if record.kind == "person" else None)
        _touch_cluster(db, record)
    return len(fresh)


def _matches(
    db: Session, record: NetworkRecord, weights: Weights, index: PersonIndex
) -> tuple[list[tuple[str, float, list[dict[str, Any]]]], dict[str, str]]:
    """What the index finds for the record, and the cluster of each (from the database:
    a full run may have moved them). An index that names a record the database no
    longer has is reloaded once."""
    for attempt in range(2):
        found = index.match(db, record.person, weights, at_least=CANDIDATE_WEIGHT)
        ids = [other for other, _, _ in found]
        query = select(NetworkRecord.id, NetworkRecord.cluster_id).where(NetworkRecord.id.in_(ids))
        clusters = {str(i): str(c) for i, c in db.execute(query)} if ids else {}
        if len(clusters) == len(ids) or attempt:
            return [f for f in found if f[0] in clusters], clusters
        index.forget()
    return [], {}


def _join_best(
    db: Session,
    record: NetworkRecord,
    weights: Weights,
    apart: list[tuple[str, str]],
    index: PersonIndex,
) -> None:
    found, clusters = _matches(db, record, weights, index)
    best: dict[str, tuple[float, list[dict[str, Any]], str]] = {}
    for other, weight, parts in found:  # strongest first: the first per cluster is its best
        best.setdefault(clusters[other], (weight, parts, other))
    if not best or share(next(iter(best.values()))[0], [], weights.alone) < MATCH_PROBABILITY:
        return  # not even the best candidate, alone, is more likely than not
    check = _candidate_clusters(db, record, list(best), apart)
    allowed = [(cid, *found) for cid, found in best.items() if check.may_join(record.id, cid)]
    if not allowed:
        return
    cid, weight, parts, other = allowed[0]
    if share(weight, [w for _, w, _, _ in allowed[1:]], weights.alone) < MATCH_PROBABILITY:
        return  # no match, or other people (or none) are together about as likely
    if check.join(record.id, other):
        record.cluster_id = cid
        cluster_row = db.get(NetworkCluster, cid)
        if cluster_row is not None:
            cluster_row.why = [*cluster_row.why, _why(record.id, other, weight, parts)]


def _candidate_clusters(
    db: Session, record: NetworkRecord, ids: list[str], apart: list[tuple[str, str]]
) -> Clusters:
    """The record and the candidate clusters' person records (one query), each cluster
    rooted at its id, with the analysts' splits: what may join what."""
    members = db.execute(
        select(
            NetworkRecord.id,
            NetworkRecord.cluster_id,
            NetworkRecord.dob,
            NetworkRecord.year,
            NetworkRecord.person,
        ).where(NetworkRecord.cluster_id.in_(ids), NetworkRecord.kind == "person")
    ).all()
    dobs = {record.id: record.dob or record.year or ""}
    dobs |= {m.id: m.dob or m.year or "" for m in members}
    markers = {record.id: extract.markers_of(record.person)}
    markers |= {m.id: extract.markers_of(m.person or {}) for m in members}
    check = Clusters([record.id, *ids, *dobs], dobs, markers)
    for member in members:
        check.join(member.cluster_id, member.id, force=True)
    for a, b in apart:
        check.keep_apart(a, b)
    return check


def _touch_cluster(db: Session, record: NetworkRecord) -> None:
    found = db.get(NetworkCluster, record.cluster_id)
    if found is None:
        db.add(
            NetworkCluster(
                id=record.cluster_id, kind=record.kind, label=record.label, size=1, why=[]
            )
        )
    else:
        found.size += 1


def pending_messages(db: Session, limit: int = BATCH) -> list[Message]:
    """Messages with resolvable entities that no run has resolved yet."""
    done = select(NetworkRecord.message_id)
    ids = (
        select(MessageEntity.message_id)
        .where(MessageEntity.kind.in_(sorted(extract.RESOLVED_KINDS)))
        .where(MessageEntity.message_id.not_in(done))
        .distinct()
        .limit(limit)
    )
    return list(db.scalars(select(Message).where(Message.id.in_(ids)).order_by(Message.id)))


def sweep_erased(db: Session) -> int:
    """Forget the records of messages whose entities were erased (retention, deletion
    requests: the exchange drops their index rows), and clusters left empty."""
    indexed = select(MessageEntity.message_id)
    orphaned = NetworkRecord.message_id.not_in(indexed)
    if db.scalar(select(NetworkRecord.id).where(orphaned).limit(1)) is None:
        return 0  # a read only: on SQLite, no write lock held for the rest of the pass
    gone = db.execute(delete(NetworkRecord).where(orphaned))
    count = int(getattr(gone, "rowcount", 0) or 0)
    if count:
        used = select(NetworkRecord.cluster_id)
        db.execute(delete(NetworkCluster).where(NetworkCluster.id.not_in(used)))
    return count


def resolve_pending(db: Session) -> int:
    weights = current_weights(db)
    return sum(resolve_message(db, message, weights) for message in pending_messages(db))
