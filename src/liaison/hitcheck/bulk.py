"""Bulk checks: a CSV of identifiers in, a CSV of hit / no hit per row out.

Columns: ``category,value`` and optionally ``country`` (issuing country, phone region or
IFSC), ``date_of_birth`` (YYYY-MM-DD, with a person's name) and ``currency`` (wallets).
The result file repeats the caller's own row and adds ``result`` (hit, no_hit, invalid)
and ``error`` (in English, a stable form): never anything of the other side's. The page
shows an invalid row's reason in the reader's language (``RowOut.reason``).
"""

from __future__ import annotations

import csv
import io

from pydantic import ValidationError

from liaison.hitcheck.identifiers import Identifier
from liaison.hitcheck.schemas import CheckIn, CheckOut, RowOut, invalid_row
from liaison.hitcheck.service import HitcheckService
from liaison.kit.errors import ValidationFailed
from liaison.kit.i18n import Text, as_text
from liaison.kit.plugin import N_
from liaison.kit.validation import invalid_message

COLUMNS = ("category", "value", "country", "date_of_birth", "currency")
RESULT_COLUMNS = ("row", "category", "value", "result", "error")


def parse(text: str) -> tuple[list[tuple[int, Identifier]], list[RowOut]]:
    """Valid identifiers with their CSV row numbers (data rows from 1), and invalid rows."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if "category" not in header or "value" not in header:
        raise ValidationFailed.on_field(
            "file", N_("the CSV needs a header row with category,value")
        )
    reader.fieldnames = header
    valid: list[tuple[int, Identifier]] = []
    invalid: list[RowOut] = []
    for number, raw in enumerate(reader, start=1):
        data = {k: (v or "").strip() for k, v in raw.items() if k in COLUMNS and v}
        try:
            valid.append((number, Identifier.model_validate(data)))
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            why = as_text(invalid_message(first))
            if where:
                why = Text(N_("%(field)s: %(message)s"), field=where, message=why)
            invalid.append(
                invalid_row(number, data.get("category", ""), data.get("value", ""), why)
            )
    if not valid and not invalid:
        raise ValidationFailed.on_field("file", N_("the CSV has no rows"))
    return valid, invalid


def run(
    service: HitcheckService, text: str, purpose: str, legal_basis: str, peer: str | None = None
) -> CheckOut:
    valid, invalid = parse(text)
    if not valid:
        return CheckOut(query_id=None, peer=peer or "", asked=0, hits=0, rows=invalid)
    data = CheckIn.model_validate(
        {
            "peer": peer,
            "purpose": purpose,
            "legal_basis": legal_basis,
            "identifiers": [item for _, item in valid],
        }
    )
    out = service.check(data)
    out.rows = sorted([*renumbered(out.rows, valid), *invalid], key=lambda r: r.row)
    return out


def renumbered(rows: list[RowOut], valid: list[tuple[int, Identifier]]) -> list[RowOut]:
    """A check's rows (numbered from 1 within ``valid``) with their CSV row numbers."""
    return [r.model_copy(update={"row": valid[r.row - 1][0]}) for r in rows]


def result_csv(out: CheckOut) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(RESULT_COLUMNS)
    for row in out.rows:
        writer.writerow([row.row, str(row.category), row.value, row.result.value, row.error or ""])
    return buffer.getvalue()
