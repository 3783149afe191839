"""A pre-export notification from India for 4-piperidone to a Canadian importer, and a
customs extract in CSV (the bench builds large ones with ``extract``)."""

from __future__ import annotations

import csv
import io
from typing import Any

FOUR_PIPERIDONE = "41661-47-6"
HEADER = [
    "reference", "exporter", "exporter_country", "importer", "importing_country", "consignee",
    "cas", "quantity", "unit", "purpose", "transit", "point_of_entry", "dispatch_date",
    "licences", "container", "vessel_imo", "vessel_name",
]  # fmt: skip


def notice(**overrides: Any) -> dict[str, Any]:
    return {
        "exporter": "Vapi Fine Chemicals Pvt Ltd",
        "exporter_country": "IN",
        "importer": "Northshore Research Chemicals Ltd",
        "importing_party": "CA",
        "consignee": "Pacific Freight Consolidators, Richmond BC",
        "substance_cas": FOUR_PIPERIDONE,
        "quantity": 250,
        "unit": "kg",
        "purpose": "Manufacture of pharmaceutical intermediates",
        "transit_points": ["AE"],
        "point_of_entry": "Port of Vancouver",
        "dispatch_date": "2026-03-02",
        "licences": ["IN-NCB-EXP-2026-0611"],
        "container": "MSCU1234566",
        "vessel_imo": "9321483",
        "vessel_name": "MSC Aurora",
        **overrides,
    }


def row(number: int, **overrides: str) -> list[str]:
    values = {
        "reference": f"SB-2026-{number:07d}",
        "exporter": "Ankleshwar Intermediates LLP",
        "exporter_country": "IN",
        "importer": "Maple Lab Supply Inc.",
        "importing_country": "CA",
        "consignee": "Maple Lab Supply Inc., Mississauga",
        "cas": FOUR_PIPERIDONE,
        "quantity": str(10 + number % 490),
        "unit": "kg",
        "purpose": "Pharmaceutical intermediates",
        "transit": "AE" if number % 3 == 0 else "",
        "point_of_entry": "Port of Montreal",
        "dispatch_date": "2026-02-20",
        "licences": "IN-NCB-EXP-2026-0419",
        "container": "",
        "vessel_imo": "",
        "vessel_name": "",
        **overrides,
    }
    return [values[name] for name in HEADER]


def extract(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode()
