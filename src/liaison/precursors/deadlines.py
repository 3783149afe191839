"""Silence past the deadline: a notification not answered by ``respond_by`` is flagged
on both nodes (each node runs this job on its own copy: the deadline travels with the
notification). The exporting node's liaison officers learn the importer did not answer;
the importing node's, that they did not. Each flag is audited and happens once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.kit import clock
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
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
    listed: str | Text = ", ".join(n.reference for n in notices[:5])
    if len(notices) > 5:
        listed = Text(N_("%(listed)s and %(more)s more"), listed=listed, more=len(notices) - 5)
    if direction == "out":
        subject = Text(
            N_("No answer from %(party)s: %(count)s notification(s) overdue"),
            party=first.importing_party,
            count=len(notices),
        )
        body = Text(
            N_("The importing party did not answer by the deadline: %(listed)s."), listed=listed
        )
    else:
        subject = Text(
            N_("Not answered in time: %(count)s notification(s) from %(party)s"),
            party=first.exporting_party,
            count=len(notices),
        )
        body = Text(
            N_("These notifications passed their answer deadline unanswered: %(listed)s."),
            listed=listed,
        )
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
