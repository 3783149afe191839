"""Bulk import of pre-export notifications from a customs extract (CSV or .xlsx).

One pass over the file: each row is validated (the schema, the substance register, the
unit, the destination) and, while no row has failed, stored in chunks with its envelopes
and roll-up counts, all inside one savepoint. Any bad row means nothing is imported: the
savepoint is rolled back and the report lists every bad row by line and field. Memory
stays flat: rows are read as they come and written a chunk at a time.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.kit import clock
from liaison.kit.bulk import BulkInsert
from liaison.kit.db import Base
from liaison.kit.errors import Message, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.ids import new_id
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.kit.validation import invalid_message
from liaison.ledger.service import record
from liaison.models import PrecursorNotice
from liaison.policy.schemas import Decision, Direction
from liaison.precursors import federation, holds, register, rollup
from liaison.precursors.policy import decide
from liaison.precursors.schemas import ImportReport, Markings, NoticeFields, RowError
from liaison.precursors.service import check_sender, destination_errors, notice_values, peer_parties

CHUNK = 1000

NOTICES = Base.metadata.tables[PrecursorNotice.__tablename__]
MAX_REPORTED = 10_000
# column in the extract -> field of a notification (several spellings are accepted)
COLUMNS = {
    "reference": "reference",
    "exporter": "exporter",
    "exporter_country": "exporter_country",
    "importer": "importer",
    "importing_country": "importing_party",
    "importing_party": "importing_party",
    "consignee": "consignee",
    "cas": "substance_cas",
    "substance_cas": "substance_cas",
    "quantity": "quantity",
    "unit": "unit",
    "purpose": "purpose",
    "transit": "transit_points",
    "transit_points": "transit_points",
    "point_of_entry": "point_of_entry",
    "dispatch_date": "dispatch_date",
    "licences": "licences",
    "container": "container",
    "vessel_imo": "vessel_imo",
    "vessel_name": "vessel_name",
}
LISTS = frozenset({"transit_points", "licences"})
REQUIRED = (
    "exporter", "importer", "importing_party", "substance_cas", "quantity", "unit", "purpose",
    "point_of_entry", "dispatch_date",
)  # fmt: skip
Progress = Callable[[int], None]


@dataclass
class _Run:
    markings: Markings
    respond_within_days: int
    batch: str = field(default_factory=new_id)
    now: datetime = field(default_factory=clock.now)  # one import, one moment of sending
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    pending: list[dict[str, Any]] = field(default_factory=list)
    stored: int = 0
    envelopes: int = 0
    held: int = 0
    held_first: PrecursorNotice | None = None
    ids: Any = field(default_factory=hashlib.sha256)  # of the stored rows' ids, in order
    deltas: dict[rollup.Key, rollup.Delta] = field(default_factory=dict)

    respond_by: datetime = field(init=False)

    def __post_init__(self) -> None:
        self.respond_by = self.now + timedelta(days=self.respond_within_days)

    def fail(self, line: int, name: str, message: Message) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append(RowError.of(line, name, message))


def csv_rows(stream: IO[str]) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) for each record; the header is line 1."""
    reader = csv.reader(stream)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except (csv.Error, UnicodeDecodeError) as exc:
        raise ValidationFailed.on_field(
            "file",
            Text(
                N_("line %(line)s cannot be read as UTF-8 CSV (%(exc)s)"),
                line=reader.line_num + 1,
                exc=exc,
            ),
        ) from None


def rows_of(stream: IO[bytes], filename: str = "") -> Iterator[tuple[int, list[str]]]:
    """The records of an uploaded extract: .xlsx (a zip) or CSV (UTF-8, BOM allowed)."""
    head = stream.read(4)
    stream.seek(0)
    if head == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return xlsx_rows(stream)
    return csv_rows(io.TextIOWrapper(stream, encoding="utf-8-sig", newline=""))


def xlsx_rows(stream: IO[bytes]) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    book = load_workbook(stream, read_only=True, data_only=True)
    sheet = book.active
    assert sheet is not None
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, ["" if v is None else _cell(v) for v in values]
    book.close()


def _cell(value: object) -> str:
    isoformat = getattr(value, "isoformat", None)
    return str(isoformat())[:10] if callable(isoformat) else str(value)


def _header(cells: list[str]) -> list[str | None]:
    names = [COLUMNS.get(c.strip().lower().replace(" ", "_")) for c in cells]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise ValidationFailed.on_field(
            "file",
            Text(
                N_(
                    "the header (line 1) lacks the column(s) %(missing)s; expected columns: "
                    "%(expected)s"
                ),
                missing=", ".join(missing),
                expected=", ".join(sorted(set(COLUMNS))),
            ),
        )
    return names


def _values(names: list[str | None], cells: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, cell in zip(names, cells, strict=True):
        if name is None or not cell.strip():
            continue
        values[name] = [p.strip() for p in cell.split(";") if p.strip()] if name in LISTS else cell
    return values


class NoticeImport:
    def __init__(self, db: Session, caller: Caller, settings: Settings) -> None:
        check_sender(caller)
        self.db = db
        self.caller = caller
        self.settings = settings
        self.actor = f"user:{caller.username}"
        self.register = register.by_cas(db)
        self.peers = peer_parties(db)
        self.decided: dict[str, Decision] = {}  # importing party -> the policy's decision
        self.inserter: BulkInsert | None = None

    def run(
        self,
        rows: Iterable[tuple[int, list[str]]],
        markings: Markings,
        respond_within_days: int = 15,
        progress: Progress | None = None,
    ) -> ImportReport:
        state = _Run(markings, respond_within_days)
        iterator = iter(rows)
        first = next(iterator, None)
        if first is None:
            raise ValidationFailed.on_field("file", N_("the file is empty"))
        names = _header(first[1])
        savepoint = self.db.begin_nested()
        try:
            self._all(state, names, iterator, progress)
        except BaseException:
            savepoint.rollback()
            raise
        if state.error_count == 0 and state.pending:
            self._store(state)
        if state.error_count or state.rows == 0:
            savepoint.rollback()
            imported = 0
        else:
            rollup.add(self.db, state.deltas)
            savepoint.commit()
            imported = state.stored
            self._hold(state)
        record(
            self.db,
            actor=self.actor,
            action="precursors.notices.import",
            object_type="precursors.import",
            object_id=state.batch,
            decision="imported" if imported else "refused",
            detail={
                "rows": state.rows,
                "imported": imported,
                "held_for_review": state.held if imported else 0,
                "bad_rows": state.error_count,
                "envelopes": state.envelopes if imported else 0,
                "ids_sha256": state.ids.hexdigest() if imported else None,
            },
        )
        return ImportReport(
            batch_id=state.batch if imported else None,
            rows=state.rows,
            imported=imported,
            held_for_review=state.held if imported else 0,
            errors=state.errors,
            error_count=state.error_count,
        )

    def _all(
        self,
        state: _Run,
        names: list[str | None],
        rows: Iterator[tuple[int, list[str]]],
        progress: Progress | None,
    ) -> None:
        for line, cells in rows:
            if not any(c.strip() for c in cells):
                continue
            state.rows += 1
            self._row(state, names, line, cells)
            if len(state.pending) >= CHUNK:
                self._store(state)
                if progress is not None:
                    progress(state.rows)

    def _row(self, state: _Run, names: list[str | None], line: int, cells: list[str]) -> None:
        if len(cells) != len(names):
            fields = N_("has %(count)s fields, the header has %(header)s")
            state.fail(line, "row", Text(fields, count=len(cells), header=len(names)))
            return
        try:
            data = NoticeFields.model_validate(_values(names, cells))
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else "row"
                state.fail(line, name, invalid_message(error))
            return
        problems = [
            *register.substance_errors(self.register, data.substance_cas, data.unit),
            *destination_errors(data, self.settings.party, self.peers),
        ]
        for problem in problems:
            state.fail(line, problem.field, problem.message)
        if problems or state.error_count:
            return  # nothing more is stored once a row failed: the report is all that matters
        values = notice_values(
            data,
            self.register[data.substance_cas],
            own_party=self.settings.party,
            markings=state.markings,
            respond_by=state.respond_by,
            actor=self.actor,
            now=state.now,
            batch=state.batch,
        )
        decision = self.decided.get(data.importing_party)
        if decision is None:
            decision = self._decide(state, PrecursorNotice(**values))
        if decision.holds_for_review():
            values["status"] = holds.HELD
        state.pending.append(values)

    def _decide(self, state: _Run, row: PrecursorNotice) -> Decision:
        """One policy decision per importing party (the rows are marked alike)."""
        decision = decide(
            self.db,
            row,
            Direction.OUTBOUND,
            actor=self.actor,
            object_type=holds.IMPORT,
            object_id=state.batch,
        )
        self.decided[row.importing_party] = decision
        if decision.holds_for_review() and state.held_first is None:
            state.held_first = row
        return decision

    def _hold(self, state: _Run) -> None:
        """Rows the policy holds wait for a legal reviewer, as one review item."""
        first = state.held_first
        if state.held and first is not None:
            holds.hold(
                self.db,
                first,
                self.decided[first.importing_party],
                object_type=holds.IMPORT,
                object_id=state.batch,
                actor=self.actor,
            )

    def _store(self, state: _Run) -> None:
        rows, state.pending = state.pending, []
        if state.error_count or not rows:
            return
        if self.inserter is None:
            self.inserter = BulkInsert(self.db, NOTICES, list(rows[0]))
        self.inserter.run(rows)
        by_party: dict[str, list[dict[str, Any]]] = {}
        for values in rows:
            state.ids.update(values["id"].encode())
            if values["status"] == holds.HELD:
                state.held += 1
                continue  # sent and counted when a legal reviewer releases it
            by_party.setdefault(values["importing_party"], []).append(federation.wire_of(values))
            rollup.tally(state.deltas, values)
        for party, wires in by_party.items():
            state.envelopes += federation.send_wires(self.db, party, wires)
        state.stored += len(rows)
