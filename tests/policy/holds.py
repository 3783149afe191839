"""Items held for legal review in the policy tests: a test item type whose release (or
drop) is recorded in the audit log, and the log entries about one item."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.ledger.service import record
from liaison.models.audit import AuditEntry
from liaison.policy import review
from liaison.policy.review import ReviewOutcome, register_release
from tests.policy.helpers import decide

TEST_TYPE = "policy.test_item"


@register_release(TEST_TYPE)
def _release(db: Session, object_id: str, outcome: ReviewOutcome) -> None:
    record(
        db,
        actor=outcome.reviewer,
        action="test.released" if outcome.approved else "test.dropped",
        object_type=TEST_TYPE,
        object_id=object_id,
        detail={"conditions": outcome.conditions, "assurance": outcome.assurance_reference},
    )


def held(
    factory: sessionmaker[Session], object_id: str, object_type: str = TEST_TYPE, **kw: object
) -> str:
    decision = decide(**kw)
    assert decision.holds_for_review()
    with unit_of_work(factory) as db:
        item = review.hold(
            db,
            object_type=object_type,
            object_id=object_id,
            decision=decision,
            requested_by="user:ca-officer",
        )
        return item.id


def entries(factory: sessionmaker[Session], object_id: str) -> list[AuditEntry]:
    with unit_of_work(factory) as db:
        query = select(AuditEntry).where(AuditEntry.object_id == object_id)
        return list(db.scalars(query.order_by(AuditEntry.sequence)))
