"""The substance register as shipped: INCB Table I fentanyl precursors, a salt, and
designer-precursor watch entries by structure family.

CAS numbers are checked (check digit) when the register is loaded. HS codes follow HS
2022 (2933.36 ANPP and 2933.37 NPP have their own subheadings; the other piperidines are
in 2933.39). The national control status is the demo's starting point: each node's
administrator confirms it against the current gazette and updates it (API or web form,
audited).
"""

from __future__ import annotations

from typing import Any

CA_SCHEDULE = (
    "Controlled Drugs and Substances Act, Schedule VI Part 1; Precursor Control Regulations"
)
IN_ORDER = "NDPS (Regulation of Controlled Substances) Order 2013, Schedule A"
INCB_2024 = "Added to INCB Table I by the Commission on Narcotic Drugs in 2024"


def _both(ca: str, india: str, ca_ref: str = CA_SCHEDULE, in_ref: str = IN_ORDER) -> dict[str, Any]:
    return {
        "CA": {"status": ca, "reference": ca_ref if ca != "not_controlled" else ""},
        "IN": {"status": india, "reference": in_ref if india != "not_controlled" else ""},
    }


SUBSTANCES: list[dict[str, Any]] = [
    {
        "cas": "39742-60-4",
        "name": "NPP (N-phenethyl-4-piperidone)",
        "synonyms": ["NPP", "1-phenethyl-4-piperidone", "N-phenethyl-4-piperidinone"],
        "category": "table_i",
        "family": "4-piperidone",
        "hs_code": "2933.37",
        "control": _both("controlled", "controlled"),
    },
    {
        "cas": "21409-26-7",
        "name": "ANPP (4-anilino-N-phenethylpiperidine)",
        "synonyms": ["ANPP", "despropionyl fentanyl"],
        "category": "table_i",
        "family": "4-anilinopiperidine",
        "hs_code": "2933.36",
        "control": _both("controlled", "controlled"),
    },
    {
        "cas": "23056-29-3",
        "name": "4-AP (4-anilinopiperidine)",
        "synonyms": ["4-AP", "N-phenylpiperidin-4-amine"],
        "category": "table_i",
        "family": "4-anilinopiperidine",
        "hs_code": "2933.39",
        "control": _both("controlled", "controlled"),
    },
    {
        "cas": "125541-22-2",
        "name": "1-boc-4-AP (tert-butyl 4-(phenylamino)piperidine-1-carboxylate)",
        "synonyms": ["1-boc-4-AP", "N-boc-4-AP", "boc-4-AP"],
        "category": "table_i",
        "family": "4-anilinopiperidine",
        "hs_code": "2933.39",
        "control": _both("controlled", "controlled"),
    },
    {
        "cas": "1609-66-1",
        "name": "Norfentanyl (N-phenyl-N-(piperidin-4-yl)propionamide)",
        "synonyms": ["norfentanyl"],
        "category": "table_i",
        "family": "norfentanyl",
        "hs_code": "2933.39",
        "control": _both("controlled", "controlled"),
    },
    {
        "cas": "41661-47-6",
        "name": "4-Piperidone",
        "synonyms": ["4-piperidone", "piperidin-4-one", "4-piperidinone"],
        "category": "table_i",
        "family": "4-piperidone",
        "hs_code": "2933.39",
        "control": _both("pending", "pending", INCB_2024, INCB_2024),
        "note": INCB_2024 + "; national listing to be confirmed by each party.",
    },
    {
        "cas": "79099-07-3",
        "name": "1-boc-4-piperidone (tert-butyl 4-oxopiperidine-1-carboxylate)",
        "synonyms": ["1-boc-4-piperidone", "N-boc-4-piperidone"],
        "category": "table_i",
        "family": "4-piperidone",
        "hs_code": "2933.39",
        "control": _both("pending", "pending", INCB_2024, INCB_2024),
        "note": INCB_2024 + "; national listing to be confirmed by each party.",
    },
    {
        "cas": "40064-34-4",
        "name": "4-Piperidone monohydrate hydrochloride",
        "synonyms": ["4-piperidone HCl", "4-piperidone hydrochloride"],
        "category": "salt",
        "parent_cas": "41661-47-6",
        "family": "4-piperidone",
        "hs_code": "2933.39",
        "control": _both("pending", "pending", INCB_2024, INCB_2024),
        "note": "Salts of Table I substances are controlled with their parent.",
    },
    {
        "cas": "3612-20-2",
        "name": "1-Benzyl-4-piperidone",
        "synonyms": ["N-benzyl-4-piperidone"],
        "category": "watch",
        "family": "4-piperidone",
        "hs_code": "2933.39",
        "control": _both("not_controlled", "not_controlled"),
        "note": "N-protected 4-piperidone: a designer precursor route to NPP and 4-AP.",
    },
    {
        "cas": "103-63-9",
        "name": "(2-Bromoethyl)benzene (phenethyl bromide)",
        "synonyms": ["phenethyl bromide", "2-phenylethyl bromide"],
        "category": "watch",
        "family": "phenethyl halide",
        "hs_code": "2903.99",
        "unit": "L",
        "control": _both("not_controlled", "not_controlled"),
        "note": "Alkylates 4-piperidone to NPP, or norfentanyl to fentanyl.",
    },
    {
        "cas": "79-03-8",
        "name": "Propionyl chloride",
        "synonyms": ["propanoyl chloride"],
        "category": "watch",
        "family": "acylating agent",
        "hs_code": "2915.90",
        "unit": "L",
        "control": _both("not_controlled", "not_controlled"),
        "note": "Acylates ANPP to fentanyl; a dual-use industrial chemical.",
    },
]
