"""The person model: Splink (DuckDB, embedded) trained without labels, and its weights.

``train(frame)`` estimates u by random sampling and m by expectation maximisation on
two blocking rules (no ground truth, no threshold tuned on it); ``Weights`` keeps the
trained match weight of every comparison level, so a pair's score can be explained
("why are these the same person?") and recomputed for new records without Splink.
A pair is a match when its probability reaches ``MATCH_PROBABILITY``, fixed at 0.5 (a
match is more likely than not: the decision with the fewest expected errors).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from liaison.networks.levels import COMPARISONS, LISTS, Comparison

MATCH_PROBABILITY = 0.5
MATCH_WEIGHT = math.log2(MATCH_PROBABILITY / (1 - MATCH_PROBABILITY))
# pairs less likely than this are no candidates at all (the clustering weighs a record's
# other candidates against the cluster it joins; one this unlikely changes nothing)
CANDIDATE_PROBABILITY = 0.01
CANDIDATE_WEIGHT = math.log2(CANDIDATE_PROBABILITY / (1 - CANDIDATE_PROBABILITY))
CALIBRATION_ROUNDS = 50
BLOCKING = (
    ("name_key",),
    ("first_key", "year"),
    ("last_key", "year"),
    ("first_key", "last_key"),
    ("dob",),
    ("ids",),  # list columns (``levels.LISTS``) block on each of their values
    ("last_key", "addr_numbers"),
)


@dataclass(frozen=True)
class Weights:
    """Prior match weight and, per comparison, the weight of each gamma value."""

    prior: float
    levels: dict[str, dict[int, tuple[str, float]]]  # comparison -> gamma -> (label, w)
    # the probability that a record's person has no other record ("none of them", the
    # hypothesis every candidate cluster is weighed against; 1 for a model not calibrated)
    alone: float = 1.0

    def explain(self, gammas: dict[str, int]) -> tuple[float, list[dict[str, Any]]]:
        total = self.prior
        parts: list[dict[str, Any]] = []
        for name, gamma in gammas.items():
            label, weight = self.levels[name].get(int(gamma), ("?", 0.0))
            total += weight
            parts.append({"comparison": name, "level": label, "weight": round(weight, 2)})
        return total, parts

    def fits(self, comparisons: tuple[Comparison, ...] = COMPARISONS) -> bool:
        """Whether these weights were trained on these comparisons (a model stored before
        the comparisons changed gives its weights to other levels: it must not be used)."""
        for comparison in comparisons:
            trained = self.levels.get(comparison.name, {})
            labels = [level.label for level in comparison.levels[1:-1]]
            if [trained.get(len(labels) - i, ("", 0.0))[0] for i in range(len(labels))] != labels:
                return False
        return set(self.levels) == {c.name for c in comparisons}

    def to_json(self) -> dict[str, Any]:
        return {
            "prior": self.prior,
            "alone": self.alone,
            "levels": {
                name: [[g, label, w] for g, (label, w) in sorted(levels.items())]
                for name, levels in self.levels.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Weights:
        return cls(
            prior=float(data["prior"]),
            levels={
                name: {int(g): (str(label), float(w)) for g, label, w in rows}
                for name, rows in data["levels"].items()
            },
            alone=float(data.get("alone", 1.0)),
        )


def probability(weight: float) -> float:
    return 1 / (1 + 2 ** (-weight))


def calibrate(weights: Weights, pair_weights: Sequence[float], records: int) -> Weights:
    """The prior re-estimated from the scored pairs, as an EM step would (m and u kept):
    the expected number of other records of a record's person, ``mu``, is twice the sum
    of the pairs' match probabilities over the records, and the prior a pair has is
    ``mu / (records - 1)``; repeated until it settles. ``alone``, the probability that a
    record's person has no other record, is ``exp(-mu)`` (records of one person taken
    as arriving independently: a Poisson count). No label is read."""
    import numpy as np

    if records < 2 or not pair_weights:
        return weights
    given = np.asarray(pair_weights, dtype=np.float64)
    prior, mu = weights.prior, 0.0
    for _ in range(CALIBRATION_ROUNDS):
        shift = prior - weights.prior
        odds_against = np.exp2(np.clip(-(given + shift), -1000, 1000))
        mu = 2 * float(np.sum(1 / (1 + odds_against))) / records
        if mu * records < 2:
            return weights  # not one matching pair expected: nothing to calibrate on
        pair = min(mu / (records - 1), 0.5)
        settled = math.log2(pair / (1 - pair))
        if abs(settled - prior) < 1e-4:
            break
        prior = settled
    return Weights(prior=prior, levels=weights.levels, alone=math.exp(-mu))


def _splink_comparison(comparison: Comparison) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    null, *middle, _else = comparison.levels
    levels: list[Any] = [cll.CustomLevel(null.sql, null.label).configure(is_null_level=True)]
    levels += [cll.CustomLevel(level.sql, level.label) for level in middle]
    levels.append(cll.ElseLevel())
    return cl.CustomComparison(
        comparison_levels=levels,
        output_column_name=comparison.name,
        comparison_description=comparison.description,
    )


def settings(comparisons: tuple[Comparison, ...] = COMPARISONS) -> Any:
    from splink import SettingsCreator, block_on

    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=[_splink_comparison(c) for c in comparisons],
        blocking_rules_to_generate_predictions=[
            block_on(*cols, arrays_to_explode=[c for c in cols if c in LISTS] or None)
            for cols in BLOCKING
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=True,
    )


def train(frame: Any, *, max_pairs: float = 2e6, seed: int = 1) -> tuple[Any, Weights]:
    """A trained Splink linker over ``frame`` (a pandas frame) and its weights."""
    from splink import DuckDBAPI, Linker, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    api = DuckDBAPI()
    linker = Linker(api.register(frame), settings(), log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("name_key", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("name_key"))
    return linker, weights_of(linker)


def weights_of(linker: Any) -> Weights:
    model = linker.misc.save_model_to_json()
    prior_p = float(model["probability_two_random_records_match"])
    levels: dict[str, dict[int, tuple[str, float]]] = {}
    for comparison in model["comparisons"]:
        rows = comparison["comparison_levels"]
        non_null = [r for r in rows if not r.get("is_null_level")]
        table: dict[int, tuple[str, float]] = {-1: (rows[0]["label_for_charts"], 0.0)}
        for index, row in enumerate(non_null):
            m, u = row.get("m_probability"), row.get("u_probability")
            weight = math.log2(m / u) if m and u else 0.0
            table[len(non_null) - 1 - index] = (row["label_for_charts"], weight)
        levels[comparison["output_column_name"]] = table
    return Weights(prior=math.log2(prior_p / (1 - prior_p)), levels=levels)


def predict(linker: Any, weights: Weights) -> list[tuple[str, str, float, list[dict[str, Any]]]]:
    """Scored pairs at or above the match threshold: (id_l, id_r, weight, explanation).

    Every blocked pair is weighed with ``weights``: Splink's own weight gives a level EM
    could not train (no pair of the training blocks reached it) a default m-probability,
    ``weights_of`` gives it no weight (no evidence), so Splink's threshold would keep
    other pairs than ours."""
    found = linker.inference.predict()
    frame = found.as_pandas_dataframe()
    names = [c.name for c in COMPARISONS]
    out: list[tuple[str, str, float, list[dict[str, Any]]]] = []
    for row in frame.itertuples(index=False):
        values = row._asdict()
        gammas = {name: int(values[f"gamma_{name}"]) for name in names}
        weight, parts = weights.explain(gammas)
        if weight >= MATCH_WEIGHT:
            out.append((str(values["unique_id_l"]), str(values["unique_id_r"]), weight, parts))
    return out
