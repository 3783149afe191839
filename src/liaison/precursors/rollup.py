"""The monthly roll-up behind the dashboard: one row per month, route and substance,
updated in the same transaction as the notification it counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.models import PrecursorMonthly, PrecursorNotice
from liaison.precursors.schemas import UNITS

Key = tuple[str, str, str, str, str]  # month, exporting, importing, route, substance


@dataclass
class Delta:
    notices: int = 0
    quantity: float = 0.0
    answered: int = 0
    objections: int = 0
    info_requests: int = 0
    response_seconds: float = 0.0
    overdue: int = 0


def base_quantity(notice: PrecursorNotice) -> float:
    return notice.quantity * UNITS[notice.unit.lower()][1]


def key_from(values: Mapping[str, Any]) -> Key:
    return (
        values["sent_at"].strftime("%Y-%m"),
        values["exporting_party"],
        values["importing_party"],
        values["route"],
        values["substance_cas"],
    )


def key_of(notice: PrecursorNotice) -> Key:
    names = ("sent_at", "exporting_party", "importing_party", "route", "substance_cas")
    return key_from({name: getattr(notice, name) for name in names})


def tally(deltas: dict[Key, Delta], values: Mapping[str, Any]) -> None:
    """Count one new notification (column values) into ``deltas``."""
    delta = deltas.setdefault(key_from(values), Delta())
    delta.notices += 1
    delta.quantity += values["quantity"] * UNITS[values["unit"].lower()][1]


def add(db: Session, deltas: dict[Key, Delta]) -> None:
    """Add the deltas to their rows (creating rows as needed). Flushes."""
    if not deltas:
        return
    months = {k[0] for k in deltas}
    rows = {
        (r.month, r.exporting_party, r.importing_party, r.route, r.substance_cas): r
        for r in db.scalars(select(PrecursorMonthly).where(PrecursorMonthly.month.in_(months)))
    }
    for key, delta in deltas.items():
        row = rows.get(key)
        if row is None:
            month, exporting, importing, route, cas = key
            row = PrecursorMonthly(
                month=month,
                exporting_party=exporting,
                importing_party=importing,
                route=route,
                substance_cas=cas,
                notices=0,
                quantity=0.0,
                answered=0,
                objections=0,
                info_requests=0,
                response_seconds=0.0,
                overdue=0,
            )
            db.add(row)
            rows[key] = row
        row.notices += delta.notices
        row.quantity += delta.quantity
        row.answered += delta.answered
        row.objections += delta.objections
        row.info_requests += delta.info_requests
        row.response_seconds += delta.response_seconds
        row.overdue += delta.overdue
    db.flush()


def count_new(db: Session, notices: Iterable[PrecursorNotice]) -> None:
    """Count newly stored notifications (quantities in the substance's base unit)."""
    deltas: dict[Key, Delta] = {}
    for notice in notices:
        delta = deltas.setdefault(key_of(notice), Delta())
        delta.notices += 1
        delta.quantity += base_quantity(notice)
    add(db, deltas)


def count_answer(db: Session, notice: PrecursorNotice) -> None:
    assert notice.answered_at is not None
    delta = Delta(
        answered=1,
        objections=int(notice.status == "objection"),
        info_requests=int(notice.status == "info_requested"),
        response_seconds=(notice.answered_at - notice.sent_at).total_seconds(),
    )
    add(db, {key_of(notice): delta})


def count_overdue(db: Session, notices: Iterable[PrecursorNotice]) -> None:
    deltas: Counter[Key] = Counter(key_of(n) for n in notices)
    add(db, {key: Delta(overdue=n) for key, n in deltas.items()})
