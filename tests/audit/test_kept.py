"""record(keep=True): a refusal reaches the chain whatever its caller does next."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.ledger.service import record
from liaison.ledger.verify import verify_chain
from liaison.models import AuditEntry


def _refusal(db: Session, object_id: str, *, keep: bool = True) -> None:
    record(
        db,
        actor="user:ca-officer",
        action="policy.decision",
        object_type="exchange.message",
        object_id=object_id,
        decision="block",
        rule_ids=["ca.non_refoulement"],
        keep=keep,
    )


def _ids(factory: sessionmaker[Session]) -> list[str]:
    with unit_of_work(factory) as db:
        return list(db.scalars(select(AuditEntry.object_id).order_by(AuditEntry.sequence)))


def test_kept_entry_survives_the_callers_rollback(db_factory: sessionmaker[Session]) -> None:
    def give_up() -> None:
        with unit_of_work(db_factory) as db:
            _refusal(db, "kept")
            _refusal(db, "dropped", keep=False)
            raise RuntimeError("the caller gives up")

    with pytest.raises(RuntimeError):
        give_up()
    assert _ids(db_factory) == ["kept"]
    with unit_of_work(db_factory) as db:
        row = db.scalars(select(AuditEntry)).one()
        assert row.rule_ids == ["ca.non_refoulement"]
        assert verify_chain(db, "CA").ok


def test_kept_entry_survives_a_savepoint_and_joins_the_commit(
    db_factory: sessionmaker[Session],
) -> None:
    with unit_of_work(db_factory) as db:
        savepoint = db.begin_nested()
        _refusal(db, "inbound-refusal")
        _refusal(db, "undone", keep=False)
        savepoint.rollback()
        _refusal(db, "after", keep=False)
    assert _ids(db_factory) == ["inbound-refusal", "after"]


def test_kept_entry_after_nested_savepoints_and_rollback(
    db_factory: sessionmaker[Session],
) -> None:

    def give_up() -> None:
        with unit_of_work(db_factory) as db:
            _refusal(db, "first", keep=False)
            outer = db.begin_nested()
            inner = db.begin_nested()
            _refusal(db, "deep")
            inner.rollback()
            outer.rollback()
            raise RuntimeError("then the whole transaction rolls back")

    with pytest.raises(RuntimeError):
        give_up()
    assert _ids(db_factory) == ["deep"]
    with unit_of_work(db_factory) as db:
        assert verify_chain(db, "CA").ok
