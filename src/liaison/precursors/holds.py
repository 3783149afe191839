"""Notifications and answers the policy holds for legal review, like an exchange message.

A held notification is stored with the status ``held_for_review`` and is not sent,
counted or flagged overdue; one review item stands for it (``precursors.notice``, its
id) or for the held rows of an import (``precursors.import``, the batch id). When the
legal reviewer approves, the rows are sent (their deadline counted from the release);
when the reviewer refuses, they are withdrawn. Either way one audit entry names the
item, the review and how many notifications it released.

An answer the policy holds (``precursors.answer``, the notification's id) is stored on
the notification (status ``held_for_review``, its reason and author; the outcome kept
with the review item) and not sent; the approval records and sends it, a refusal
returns the notification to ``received`` so that it can be answered again.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.kit import clock
from liaison.ledger.service import record
from liaison.models import PrecursorNotice
from liaison.policy import review
from liaison.policy.schemas import Decision, Direction
from liaison.precursors import federation, rollup
from liaison.precursors.policy import subject
from liaison.precursors.schemas import Outcome

HELD = "held_for_review"
WITHDRAWN = "withdrawn"
NOTICE = "precursors.notice"
IMPORT = "precursors.import"
ANSWER = "precursors.answer"
UNANSWERED = "received"
CHUNK = 1000


def hold(
    db: Session,
    first: PrecursorNotice,
    decision: Decision,
    *,
    object_type: str,
    object_id: str,
    actor: str,
) -> None:
    """Queue the held notification(s) for a legal reviewer (they are stored already)."""
    review.hold(
        db,
        object_type=object_type,
        object_id=object_id,
        decision=decision,
        requested_by=actor,
        subject=subject(first, Direction.OUTBOUND),
    )


def _held_ids(db: Session, query: Select[str]) -> list[str]:
    return list(db.scalars(query.where(PrecursorNotice.status == HELD)))


def _send(db: Session, ids: Sequence[str]) -> int:
    now = clock.now()
    envelopes = 0
    for start in range(0, len(ids), CHUNK):
        query = select(PrecursorNotice).where(PrecursorNotice.id.in_(ids[start : start + CHUNK]))
        rows = list(db.scalars(query.order_by(PrecursorNotice.id)))
        for row in rows:
            row.respond_by = now + (row.respond_by - row.sent_at)  # the full window, from now
            row.status = "sent"
            row.sent_at = now
        db.flush()
        envelopes += federation.send_notices(db, rows)
        rollup.count_new(db, rows)
    return envelopes


def _release(
    db: Session, object_type: str, object_id: str, ids: list[str], outcome: review.ReviewOutcome
) -> None:
    envelopes = 0
    if outcome.approved:
        envelopes = _send(db, ids)
    else:
        for start in range(0, len(ids), CHUNK):
            db.execute(
                update(PrecursorNotice)
                .where(PrecursorNotice.id.in_(ids[start : start + CHUNK]))
                .values(status=WITHDRAWN, answer_reason=outcome.reason)
            )
    record(
        db,
        actor=outcome.reviewer,
        action="precursors.notices.release" if outcome.approved else "precursors.notices.withdraw",
        object_type=object_type,
        object_id=object_id,
        decision=outcome.status,
        detail={"review_id": outcome.review_id, "count": len(ids), "envelopes": envelopes},
    )
    db.flush()


def release_notice(
    db: Session, settings: Settings, object_id: str, outcome: review.ReviewOutcome
) -> None:
    """The release hook of one held notification."""
    ids = _held_ids(db, select(PrecursorNotice.id).where(PrecursorNotice.id == object_id))
    _release(db, NOTICE, object_id, ids, outcome)


def release_import(
    db: Session, settings: Settings, object_id: str, outcome: review.ReviewOutcome
) -> None:
    """The release hook of an import's held notifications (``object_id`` is the batch)."""
    query = select(PrecursorNotice.id).where(PrecursorNotice.import_batch == object_id)
    ids = _held_ids(db, query.order_by(PrecursorNotice.id))
    _release(db, IMPORT, object_id, ids, outcome)


def hold_answer(
    db: Session,
    notice: PrecursorNotice,
    decision: Decision,
    *,
    outcome: Outcome,
    reason: str,
    by: str,
    actor: str,
) -> None:
    """Keep the answer on the notification, unsent, and queue it for a legal reviewer."""
    notice.status = HELD
    notice.answer_reason = reason
    notice.answered_by = by
    db.flush()
    review.hold(
        db,
        object_type=ANSWER,
        object_id=notice.id,
        decision=decision,
        requested_by=actor,
        subject=subject(notice, Direction.OUTBOUND, answer=True),
        content={"outcome": outcome.value},
    )


def release_answer(
    db: Session, settings: Settings, object_id: str, outcome: review.ReviewOutcome
) -> None:
    """The release hook of a held answer: approved, it is recorded and sent; refused, the
    notification waits for another answer."""
    notice = db.get(PrecursorNotice, object_id)
    if notice is None or notice.status != HELD:
        return
    if outcome.approved:
        answer = Outcome(review.held_content(db, outcome.review_id)["outcome"])
        federation.apply_answer(
            db, notice, answer, notice.answer_reason, notice.answered_by, clock.now()
        )
        federation.send_answer(db, notice)
    else:
        notice.status = UNANSWERED
        notice.answer_reason = ""
        notice.answered_by = ""
    record(
        db,
        actor=outcome.reviewer,
        action="precursors.answer.release" if outcome.approved else "precursors.answer.withdraw",
        object_type=ANSWER,
        object_id=object_id,
        decision=outcome.status,
        detail={"review_id": outcome.review_id, "outcome": notice.status},
    )
    db.flush()
