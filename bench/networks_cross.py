"""Crime networks bench, resolution quality: the shared scoring of ours and plain Splink,
and the generated cross-script set (without and with places of birth) with its ceiling.
Run through ``bench/networks.py --only cross [--seed N] [--people N]``."""

from __future__ import annotations

import itertools
import logging
from typing import Any

import pandas as pd

from liaison.exchange.normalise import fold
from liaison.networks import cluster, model, records, score, synthetic


def pairs_of(mapping: dict[str, Any]) -> set[tuple[str, str]]:
    groups: dict[Any, list[str]] = {}
    for key, value in mapping.items():
        groups.setdefault(value, []).append(key)
    return {p for m in groups.values() for p in itertools.combinations(sorted(m), 2)}


def prf(found: set[tuple[str, str]], true: set[tuple[str, str]]) -> tuple[float, float, float]:
    hits = len(found & true)
    p, r = hits / max(1, len(found)), hits / max(1, len(true))
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def resolve_ours(rows: list[dict[str, Any]]) -> dict[str, str]:
    _, trained = model.train(pd.DataFrame(rows))
    weights, scored = score.score_calibrated(rows, trained)
    mapping, _ = cluster.cluster_rows(
        rows, [(a, b, w) for a, b, w, _ in scored], alone=weights.alone
    )
    return mapping


def plain_splink(
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


def synthetic_row(r: synthetic.SyntheticRecord) -> dict[str, Any]:
    return records.person_row(r.uid, r.name, r.dob, r.ids, r.nationality, birthplace=r.birthplace)


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
    true = pairs_of({r.uid: r.truth for r in recs})
    found = pairs_of(resolve_ours([synthetic_row(r) for r in recs]))
    ours = prf(found, true)

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
        columns["birthplace"] = [
            off_the_shelf(r.birthplace) if r.birthplace else None for r in recs
        ]
        comparisons.append(cl.JaroWinklerAtThresholds("birthplace"))
    plain = prf(
        pairs_of(
            plain_splink(
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
    errors(recs, found, true, ceiling(recs, title), title)


def _kind(r: synthetic.SyntheticRecord) -> str:
    dob = "no date" if not r.dob else ("year only" if len(r.dob) == 4 else "full date")
    return f"{dob}, {r.script}{', phone' if r.ids else ''}{', place' if r.birthplace else ''}"


def errors(
    recs: list[synthetic.SyntheticRecord],
    found: set[tuple[str, str]],
    true: set[tuple[str, str]],
    unsure: set[str],
    title: str,
) -> None:
    """Where ours loses: false and missed pairs, how many go through a record that fits
    more than one person (``ceiling``), and the commonest kinds of the other pairs."""
    by = {r.uid: r for r in recs}
    for label, wrong in (("false", found - true), ("missed", true - found)):
        through = {(a, b) for a, b in wrong if a in unsure or b in unsure}
        kinds: dict[str, int] = {}
        for a, b in wrong - through:
            key = " + ".join(sorted((_kind(by[a]), _kind(by[b]))))
            kinds[key] = kinds.get(key, 0) + 1
        common = sorted(kinds.items(), key=lambda kv: -kv[1])[:3]
        print(
            f"{title} {label} pairs: {len(wrong)}, {len(through)} through a record that fits "
            f"more than one person; others: " + "; ".join(f"{n} {k}" for k, n in common)
        )


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
    true = pairs_of({r.uid: r.truth for r in recs})
    ideal = pairs_of({r.uid: r.uid if r.uid in unsure else r.truth for r in recs})
    best = prf(ideal, true)
    same_name = sum(len(p) > 1 for p in named.values())
    print(
        f"{title} ceiling: {len(unsure)} of {len(recs)} records fit more than one person, "
        f"{len(true - ideal)} of {len(true)} true pairs go through them "
        f"({same_name} names shared by several people); all else right: "
        f"P={best[0]:.4f} R={best[1]:.4f} F1={best[2]:.4f}"
    )
    return unsure
