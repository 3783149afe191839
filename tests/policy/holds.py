"""Items held for legal review in the policy tests: a test item type whose release (or
drop) is recorded in the audit log (its hook declared by a test plug-in, ``TEST_PLUGIN``),
and the log entries about one item."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.kit.db import unit_of_work
from liaison.kit.plugin import Plugin, Ref
from liaison.ledger.service import record
from liaison.models.audit import AuditEntry
from liaison.policy import review
from liaison.policy.review import ReviewOutcome
from tests.policy.helpers import decide

TEST_TYPE = "policy.test_item"


def release(db: Session, _settings: Settings, object_id: str, outcome: ReviewOutcome) -> None:
    record(
        db,
        actor=outcome.reviewer,
        action="test.released" if outcome.approved else "test.dropped",
        object_type=TEST_TYPE,
        object_id=object_id,
        detail={"conditions": outcome.conditions, "assurance": outcome.assurance_reference},
    )


TEST_PLUGIN = Plugin(name="review-test", release_hooks={TEST_TYPE: Ref(f"{__name__}:release")})


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
