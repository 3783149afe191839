"""record(): appended in the caller's transaction, gapless, chained, fork-free."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.ledger.append_sql import CHUNK
from liaison.ledger.canonical_sql import canonical_select
from liaison.ledger.chain import GENESIS_HASH, canonical, entry_hash, format_at
from liaison.ledger.service import record
from liaison.ledger.verify import verify_chain
from liaison.models import AuditEntry


def _record(db: Session, n: int = 0) -> AuditEntry:
    return record(
        db,
        actor="user:ca-officer",
        action="exchange.message.send",
        object_type="exchange.message",
        object_id=f"m-{n}",
        decision="allow_with_obligations",
        rule_ids=["ca.legal_basis", "joint.intelligence_only"],
        detail={"to": "IN", "n": n},
    )


def test_entries_chain_and_verify(db_factory: sessionmaker[Session]) -> None:
    with unit_of_work(db_factory) as db:
        first = _record(db, 1)
        second = _record(db, 2)
    assert (first.sequence, second.sequence) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.entry_hash
    assert second.rule_ids == ["ca.legal_basis", "joint.intelligence_only"]
    assert second.detail == {"n": 2, "to": "IN"}
    assert second.entry_hash == entry_hash(
        2,
        format_at(second.at),
        "user:ca-officer",
        "exchange.message.send",
        "exchange.message",
        "m-2",
        "allow_with_obligations",
        second.rule_ids_json,
        second.detail_json,
        first.entry_hash,
    )
    with unit_of_work(db_factory) as db:
        report = verify_chain(db, "CA")
    assert report.ok
    assert report.entries == 2
    assert report.head_hash == second.entry_hash


def test_rolled_back_transaction_leaves_no_gap(db_factory: sessionmaker[Session]) -> None:
    with unit_of_work(db_factory) as db:
        _record(db, 1)
    db = db_factory()
    _record(db, 2)
    db.rollback()
    db.close()
    with unit_of_work(db_factory) as db:
        third = _record(db, 3)
    assert third.sequence == 2
    checked: list[int] = []
    with unit_of_work(db_factory) as db:
        assert verify_chain(db, "CA", progress=checked.append).ok
    assert sum(checked) == 2, "the progress bar is told of every entry checked"


def test_detail_must_be_json(db_factory: sessionmaker[Session]) -> None:
    with unit_of_work(db_factory) as db, pytest.raises(TypeError):
        record(db, actor="system", action="x.y", object_type="t", object_id="1", detail={"a": {1}})
    with unit_of_work(db_factory) as db, pytest.raises(ValueError, match="actor"):
        record(db, actor="", action="x.y", object_type="t", object_id="1")


def test_concurrent_writers_neither_gap_nor_fork(committed_url: str) -> None:
    """Four writers with their own connections append 25 entries each at once."""
    engine = make_engine(committed_url)
    factory = make_session_factory(engine)
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer(worker: int) -> None:
        try:
            start.wait()
            for n in range(25):
                with unit_of_work(factory) as db:
                    _record(db, worker * 100 + n)
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with unit_of_work(factory) as db:
        sequences = db.scalars(select(AuditEntry.sequence).order_by(AuditEntry.sequence)).all()
        assert list(sequences) == list(range(1, 101))
        assert db.scalar(select(func.count(func.distinct(AuditEntry.prev_hash)))) == 100
        report = verify_chain(db, "CA")
    engine.dispose()
    assert report.ok, report.problems


def test_two_processes_appending_in_turn_keep_one_chain(committed_url: str) -> None:
    """Each engine remembers the head it last wrote; the other's appends make that stale,
    and the append must notice and chain onto the real head, not fork."""
    engines = [make_engine(committed_url) for _ in range(2)]
    factories = [make_session_factory(engine) for engine in engines]
    for n in range(6):
        with unit_of_work(factories[n % 2]) as db:
            _record(db, n)
    with unit_of_work(factories[0]) as db:
        chained = db.scalars(select(AuditEntry.sequence).order_by(AuditEntry.sequence)).all()
        report = verify_chain(db, "CA")
    for engine in engines:
        engine.dispose()
    assert list(chained) == [1, 2, 3, 4, 5, 6]
    assert report.ok, report.problems


def test_entry_in_a_rolled_back_savepoint_is_dropped(db_factory: sessionmaker[Session]) -> None:
    with unit_of_work(db_factory) as db:
        kept = _record(db, 1)
        savepoint = db.begin_nested()
        _record(db, 2)
        savepoint.rollback()
        inner = db.begin_nested()
        also_kept = _record(db, 3)
        inner.commit()
        assert kept.sequence is None  # chained at commit, not before
    assert (kept.sequence, also_kept.sequence) == (1, 2)
    with unit_of_work(db_factory) as db:
        assert db.scalar(select(func.count()).select_from(AuditEntry)) == 2
        assert verify_chain(db, "CA").ok


def test_session_reused_after_close_does_not_leak_entries(
    db_factory: sessionmaker[Session],
) -> None:
    db = db_factory()
    _record(db, 1)
    db.close()
    with unit_of_work(db_factory) as again:
        assert _record(again, 2) is not None
    with unit_of_work(db_factory) as db2:
        assert db2.scalars(select(AuditEntry.object_id)).all() == ["m-2"]


def test_database_builds_the_same_canonical_line_as_python(
    db_factory: sessionmaker[Session],
) -> None:
    """verify hashes the line the database builds; it must be record's line exactly."""
    with unit_of_work(db_factory) as db:
        written = [
            _record(db, 1),
            record(
                db,
                actor="user:प्रिया",
                action="directory.officer.read",
                object_type="directory.officer",
                object_id="ö|9:x",
                detail={"note": "line\nbreak", "ünï": [1, 2.5, None]},
            ),
        ]
    with unit_of_work(db_factory) as db:
        query = canonical_select(db.get_bind().dialect.name)
        lines = {seq: line for seq, line, _, _ in db.execute(query)}
    for entry in written:
        assert lines[entry.sequence] == canonical(
            entry.sequence,
            format_at(entry.at),
            entry.actor,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.decision,
            entry.rule_ids_json,
            entry.detail_json,
            entry.prev_hash,
        )


def test_a_transaction_of_many_entries_is_written_whole_and_chained(
    committed_url: str,
) -> None:
    """More entries than one INSERT carries (append_sql.CHUNK), with the head stale too:
    every entry is written once, in order, and the chain verifies."""
    engines = [make_engine(committed_url) for _ in range(2)]
    factories = [make_session_factory(engine) for engine in engines]
    with unit_of_work(factories[0]) as db:
        _record(db, 0)
    with unit_of_work(factories[1]) as db:  # the other engine's remembered head is now stale
        _record(db, 1)
    with unit_of_work(factories[0]) as db:
        many = [_record(db, n) for n in range(2, 2 + 2 * CHUNK + 7)]
    with unit_of_work(factories[1]) as db:
        last = _record(db, 999)
    with unit_of_work(factories[0]) as db:
        rows = db.execute(
            select(AuditEntry.sequence, AuditEntry.object_id).order_by(AuditEntry.sequence)
        ).all()
        report = verify_chain(db, "CA")
    for engine in engines:
        engine.dispose()
    assert [entry.sequence for entry in many] == list(range(3, 3 + 2 * CHUNK + 7))
    assert last.sequence == 2 * CHUNK + 10
    assert [row.object_id for row in rows] == [f"m-{n}" for n in range(2 + 2 * CHUNK + 7)] + [
        "m-999"
    ]
    assert [row.sequence for row in rows] == list(range(1, 2 * CHUNK + 11))
    assert report.ok, report.problems
