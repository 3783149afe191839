"""Silence past the deadline: a notification not answered by ``respond_by`` is flagged
on both nodes (each node runs this job on its own copy: the deadline travels with the
notification). The exporting node's liaison officers learn the importer did not answer;
the importing node's, that they did not. Each flag is audited and happens once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.kit import clock
from liaison.kit.roles import Role
from liaison.ledger.service import record
from liaison.models import PrecursorNotice
from liaison.notifications.service import notify_role
from liaison.precursors import rollup

OPEN = ("sent", "received")
PASS = 500


def _tell(db: Session, settings: Settings, notices: list[PrecursorNotice], direction: str) -> None:
    if not notices:
        return
    first = notices[0]
    listed = ", ".join(n.reference for n in notices[:5])
    more = f" and {len(notices) - 5} more" if len(notices) > 5 else ""
    if direction == "out":
        subject = f"No answer from {first.importing_party}: {len(notices)} notification(s) overdue"
        body = f"The importing party did not answer by the deadline: {listed}{more}."
    else:
        subject = (
            f"Not answered in time: {len(notices)} notification(s) from {first.exporting_party}"
        )
        body = f"These notifications passed their answer deadline unanswered: {listed}{more}."
    notify_role(
        db,
        party_code=settings.party,
        roles=[Role.LIAISON_OFFICER, Role.ADMIN],
        subject=subject,
        body=body,
        link=f"/precursors/notices?status=overdue&direction={direction}",
        kind="danger",
    )


def flag_overdue(db: Session, settings: Settings) -> int:
    """Flag every unanswered notification past its deadline, once. Returns how many."""
    now = clock.now()
    query = (
        select(PrecursorNotice)
        .where(
            PrecursorNotice.status.in_(OPEN),
            PrecursorNotice.respond_by < now,
            PrecursorNotice.overdue_flagged_at.is_(None),
        )
        .order_by(PrecursorNotice.respond_by)
        .limit(PASS)
    )
    found = list(db.scalars(query))
    for notice in found:
        notice.overdue_flagged_at = now
        record(
            db,
            actor="system",
            action="precursors.notice.overdue",
            object_type="precursors.notice",
            object_id=notice.id,
            detail={"respond_by": notice.respond_by.isoformat(), "direction": notice.direction},
        )
    for direction in ("out", "in"):
        _tell(db, settings, [n for n in found if n.direction == direction], direction)
    rollup.count_overdue(db, found)
    db.flush()
    return len(found)
