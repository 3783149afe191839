"""Checkpoints across two nodes: signed here, countersigned by the peer, each keeping the
other's; a chain rewritten (and rehashed) after a countersigned checkpoint is caught."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session, sessionmaker

from liaison.audit import checkpoints
from liaison.config import Settings
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.ledger.service import record
from liaison.ledger.verify import verify_chain
from liaison.models import AuditCheckpoint, AuditCountersignature, OutboxMessage
from tests.ledger.tamper import rehash_all
from tests.support.pair import AppNode, exchange


def _some_entries(node: AppNode, n: int = 5) -> None:
    with unit_of_work(node.factory) as db:
        for i in range(n):
            record(
                db, actor="user:ca-officer", action="test.act", object_type="t", object_id=str(i)
            )


def _checkpoint(node: AppNode) -> AuditCheckpoint | None:
    with unit_of_work(node.factory) as db:
        return checkpoints.create(db, node.settings)


def test_checkpoint_is_countersigned_and_kept_by_both(pair: tuple[AppNode, AppNode]) -> None:
    canada, india = pair
    _some_entries(canada)
    made = _checkpoint(canada)
    assert made is not None
    assert _checkpoint(canada) is None  # nothing new since
    exchange(canada, india)
    with unit_of_work(canada.factory) as db:
        signers = db.scalars(
            select(AuditCountersignature.party).where(
                AuditCountersignature.checkpoint_id == made.id
            )
        ).all()
        report = verify_chain(db, "CA")
    assert signers == ["IN"]
    assert report.ok
    assert (report.checkpoints, report.countersigned) == (1, 1)
    with unit_of_work(india.factory) as db:
        held = db.scalars(select(AuditCheckpoint).where(AuditCheckpoint.chain_party == "CA")).one()
        assert (held.sequence, held.head_hash) == (made.sequence, made.head_hash)
        assert (
            db.scalar(
                select(AuditCountersignature.party).where(
                    AuditCountersignature.checkpoint_id == held.id
                )
            )
            == "IN"
        )
    admin = canada.client.get(
        "/api/v1/audit/checkpoints", headers=canada.headers("ca-admin")
    ).json()
    assert admin[0]["countersigned_by"] == ["IN"]


def test_rewritten_and_rehashed_chain_is_caught_by_the_countersignature(
    pair: tuple[AppNode, AppNode],
) -> None:
    canada, india = pair
    _some_entries(canada)
    made = _checkpoint(canada)
    assert made is not None
    exchange(canada, india)
    with canada.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'user:forger' WHERE sequence = 3"))
        rehash_all(conn)
    with unit_of_work(canada.factory) as db:
        report = verify_chain(db, "CA")
    assert not report.ok
    problem = report.problems[0]
    assert problem.kind == "rewritten"
    assert problem.sequence == 1
    assert f"checkpoint {made.sequence} (countersigned by IN)" in problem.message

    # Covering the tracks locally (dropping later entries and the checkpoint, signing
    # the forged head anew) does not help: India holds the countersigned original.
    with canada.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE sequence > :s"), {"s": made.sequence})
        rehash_all(conn)
    with unit_of_work(canada.factory) as db:
        db.execute(delete(AuditCheckpoint))
    forged = _checkpoint(canada)
    assert forged is not None
    assert forged.sequence == made.sequence
    assert forged.head_hash != made.head_hash
    exchange(canada, india)
    with unit_of_work(canada.factory) as db:
        refused = db.scalars(
            select(OutboxMessage).where(OutboxMessage.type == "audit.checkpoint")
        ).all()[-1]
    assert refused.status == "refused"
    assert refused.receipt_reason == "policy_refused"
    assert "contradicts the one already countersigned" in (refused.last_error or "")


def test_checkpoint_falls_due_by_count_or_by_time(
    db_factory: sessionmaker[Session], settings: Settings
) -> None:
    node = settings.model_copy(update={"audit_checkpoint_every": 5, "audit_checkpoint_minutes": 60})
    start = datetime(2026, 2, 6, 10, tzinfo=UTC)
    clock.set_clock(lambda: start)
    with unit_of_work(db_factory) as db:
        assert not checkpoints.due(db, node)  # nothing recorded yet
        for i in range(4):
            record(db, actor="system", action="test.act", object_type="t", object_id=str(i))
    with unit_of_work(db_factory) as db:
        assert not checkpoints.due(db, node)  # 4 entries, first one just now
        record(db, actor="system", action="test.act", object_type="t", object_id="5")
    with unit_of_work(db_factory) as db:
        assert checkpoints.due(db, node)  # 5 entries
    clock.set_clock(lambda: start + timedelta(minutes=59))
    with unit_of_work(db_factory) as db:
        assert not checkpoints.due(db, node.model_copy(update={"audit_checkpoint_every": 50}))
    clock.set_clock(lambda: start + timedelta(minutes=61))
    with unit_of_work(db_factory) as db:
        assert checkpoints.due(db, node.model_copy(update={"audit_checkpoint_every": 50}))
