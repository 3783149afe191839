"""Property: any change to any single column of any single audit row is detected,
and verify names that row (or an earlier sequence number, if the change moved it)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, text

from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.ledger.service import record
from liaison.ledger.verify import verify_chain

ROWS = 8
TEXT_COLUMNS = ("actor", "action", "object_type", "object_id", "decision", "rule_ids", "detail")
HASH_COLUMNS = ("prev_hash", "entry_hash")


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Engine:
    path = tmp_path_factory.mktemp("property") / "audit.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    with unit_of_work(make_session_factory(engine)) as db:
        for n in range(ROWS):
            record(
                db,
                actor=f"user:u{n}",
                action="policy.decision",
                object_type="exchange.message",
                object_id=f"m{n}",
                decision="allow" if n % 2 else None,
                rule_ids=[f"r{n}"],
                detail={"n": n, "why": "é"},
            )
    with unit_of_work(make_session_factory(engine)) as db:
        assert verify_chain(db, "CA").ok
    return engine


mutations = st.one_of(
    st.tuples(st.sampled_from(TEXT_COLUMNS), st.text(max_size=30)),
    st.tuples(st.sampled_from(HASH_COLUMNS), st.text("0123456789abcdef", min_size=64, max_size=64)),
    st.tuples(st.just("at"), st.integers(min_value=-(10**9), max_value=10**9).filter(bool)),
    st.tuples(st.just("sequence"), st.integers(min_value=-5, max_value=50)),
    st.tuples(st.just("delete"), st.none()),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(row=st.integers(min_value=1, max_value=ROWS), mutation=mutations)
def test_any_single_row_mutation_is_detected(chain: Engine, row: int, mutation: tuple) -> None:  # type: ignore[type-arg]
    column, value = mutation
    with chain.connect() as conn:
        transaction = conn.begin()
        try:
            if column == "delete":
                conn.execute(text("DELETE FROM audit_log WHERE sequence = :s"), {"s": row})
            elif column == "at":
                old = conn.execute(
                    text("SELECT at FROM audit_log WHERE sequence = :s"), {"s": row}
                ).scalar_one()
                moved = datetime.fromisoformat(old).replace(tzinfo=UTC)
                new = moved + timedelta(microseconds=value)
                conn.execute(
                    text("UPDATE audit_log SET at = :v WHERE sequence = :s"),
                    {"v": new.strftime("%Y-%m-%d %H:%M:%S.%f"), "s": row},
                )
            else:
                old = conn.execute(
                    text(f"SELECT {column} FROM audit_log WHERE sequence = :s"),  # noqa: S608
                    {"s": row},
                ).scalar_one()
                taken = value != row and value in range(1, ROWS + 1)
                if value == old or (column == "sequence" and taken):
                    return  # not a change (or a collision the primary key refuses)
                conn.execute(
                    text(f"UPDATE audit_log SET {column} = :v WHERE sequence = :s"),  # noqa: S608
                    {"v": value, "s": row},
                )
            with make_session_factory(conn)() as db:
                report = verify_chain(db, "CA")
            assert not report.ok, (column, value)
            assert report.problems[0].sequence <= row
        finally:
            transaction.rollback()
