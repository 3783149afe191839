"""Importing a customs extract: every bad row reported by line and field, nothing
half-imported; a clean extract becomes notifications queued to the importing party."""

from __future__ import annotations

import io
from datetime import date

from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.models import OutboxMessage, PrecursorNotice
from liaison.precursors.imports import rows_of
from tests.precursors import payloads
from tests.support.fixtures_db import Headers
from tests.support.peering import pin_peer_with_agencies


def _counts(factory: sessionmaker[Session]) -> tuple[int, int]:
    with unit_of_work(factory) as db:
        notices = db.scalar(select(func.count()).select_from(PrecursorNotice)) or 0
        outbox = db.scalar(select(func.count()).select_from(OutboxMessage)) or 0
    return notices, outbox


def _row(number: int, **overrides: str) -> list[str]:
    """A row of a Canadian exporter's extract, to India."""
    return payloads.row(
        number, **({"importing_country": "IN", "exporter_country": "CA"} | overrides)
    )


def _upload(client: TestClient, headers: dict[str, str], content: bytes) -> dict[str, object]:
    response = client.post(
        "/api/v1/precursors/notices/import",
        headers=headers,
        files={"file": ("customs-extract.csv", content, "text/csv")},
        data={"tlp": "AMBER", "legal_basis": "statute"},
    )
    body: dict[str, object] = response.json()
    body["status"] = response.status_code
    return body


def test_bad_rows_are_reported_by_line_and_field_and_nothing_is_imported(
    client: TestClient, seeded: sessionmaker[Session], auth_headers: Headers
) -> None:
    with unit_of_work(seeded) as db:
        pin_peer_with_agencies(db, "IN")
    before = _counts(seeded)
    rows = [_row(n) for n in range(1, 8)]
    rows[1] = _row(2, cas="41661-47-7")  # line 3: wrong check digit
    rows[3] = _row(4, cas="50-00-0")  # line 5: formaldehyde, not in the register
    rows[4] = _row(5, unit="L")  # line 6: 4-piperidone is a solid
    rows[5] = _row(6)[:-3]  # line 7: three fields short
    rows.append(_row(9, quantity="many"))  # line 9
    rows.append(_row(10, importing_country="CA"))  # line 10: to ourselves
    report = _upload(client, auth_headers("ca-officer"), payloads.extract(rows))
    assert report["status"] == 422
    assert report["imported"] == 0
    assert report["batch_id"] is None
    found = {(e["row"], e["field"]) for e in report["errors"]}  # type: ignore[attr-defined]
    assert found == {
        (3, "substance_cas"),
        (5, "substance_cas"),
        (6, "unit"),
        (7, "row"),
        (9, "quantity"),
        (10, "importing_party"),
    }
    messages = {(e["row"], e["field"]): e["message"] for e in report["errors"]}  # type: ignore[attr-defined]
    assert "CAS number" in messages[(3, "substance_cas")]
    assert "not in the substance register" in messages[(5, "substance_cas")]
    assert "not in L" in messages[(6, "unit")]
    assert messages[(7, "row")] == "has 14 fields, the header has 17"
    assert _counts(seeded) == before


def test_a_clean_extract_becomes_notifications_queued_to_the_importing_party(
    client: TestClient, seeded: sessionmaker[Session], auth_headers: Headers
) -> None:
    """A Canadian exporter's extract: 1,200 rows to India, in three envelopes."""
    with unit_of_work(seeded) as db:
        pin_peer_with_agencies(db, "IN")
    before = _counts(seeded)
    rows = [_row(n) for n in range(1200)]
    report = _upload(client, auth_headers("ca-officer"), payloads.extract(rows))
    assert report["status"] == 201, report
    assert report["imported"] == 1200
    assert report["errors"] == []
    notices, outbox = _counts(seeded)
    assert notices - before[0] == 1200
    assert outbox - before[1] == 3  # 500 notifications per envelope
    listed = client.get(
        "/api/v1/precursors/notices",
        params={"direction": "out", "limit": 5},
        headers=auth_headers("ca-analyst"),
    ).json()
    assert listed["items"][0]["status"] == "sent"
    assert listed["items"][0]["route"] in ("CA-IN", "CA-AE-IN")
    dashboard = client.get("/api/v1/precursors/dashboard", headers=auth_headers("ca-viewer"))
    india = next(a for a in dashboard.json()["answers"] if a["party"] == "IN")
    assert india["notices"] == 1200
    assert india["answered"] == 0


def test_an_xlsx_extract_reads_as_the_same_rows_as_its_csv() -> None:
    """Excel cells (numbers, dates) come out as the text a CSV export would hold."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(payloads.HEADER)
    cells: list[object] = list(payloads.row(7))
    cells[payloads.HEADER.index("dispatch_date")] = date(2026, 2, 20)
    cells[payloads.HEADER.index("quantity")] = 17
    sheet.append(cells)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    from_xlsx = [cells for _, cells in rows_of(data, "extract.xlsx")]
    from_csv = [cells for _, cells in rows_of(io.BytesIO(payloads.extract([payloads.row(7)])))]
    assert from_xlsx == from_csv
