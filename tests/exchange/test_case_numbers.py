"""A new case's reference number: one above the highest taken, and on PostgreSQL a
number another compose is still inserting is skipped rather than waited for."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.exchange.case_numbers import next_number
from liaison.exchange.sending import Sending
from liaison.kit import clock
from liaison.kit.db import insert_new, make_engine, unit_of_work
from liaison.kit.ids import new_id
from liaison.kit.roles import Caller, Role
from liaison.models import Case

PREFIX = "ZZ-2026-"


def _case(number: int) -> Case:
    return Case(
        id=new_id(),
        reference=f"{PREFIX}{number:06d}",
        title="A case",
        summary="",
        parties=["CA", "IN"],
        origin_party="CA",
        status="open",
        created_by="user:ca-officer",
        created_at=clock.now(),
        updated_at=clock.now(),
    )


def test_the_next_number_is_above_the_highest_not_the_count(
    db_factory: sessionmaker[Session],
) -> None:
    """A number left unused (a compose rolled back) leaves a gap; the next compose does
    not fall into the numbers already taken above it."""
    with unit_of_work(db_factory) as db:
        assert next_number(db, PREFIX) == 1
        db.add_all([_case(1), _case(3)])
        db.flush()
        assert next_number(db, PREFIX) == 4
        assert next_number(db, PREFIX, skip=2) == 6
        assert next_number(db, "ZY-2026-") == 1  # another party's or year's prefix


def _columns(number: int) -> dict[str, object]:
    case = _case(number)
    return {key: getattr(case, key) for key in ("id", "reference", "title", "summary")} | {
        "parties": case.parties,
        "origin_party": "CA",
        "status": "open",
        "kind": "standard",
        "created_by": case.created_by,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
    }


def test_a_clashing_reference_inserts_nothing_and_the_transaction_goes_on(
    db_factory: sessionmaker[Session],
) -> None:
    with unit_of_work(db_factory) as db:
        assert insert_new(db, Case, _columns(1))
        assert not insert_new(db, Case, _columns(1))  # the same reference, another id
        assert insert_new(db, Case, _columns(2))  # no failed statement to roll back
        references = db.scalars(
            text("SELECT reference FROM exchange_cases WHERE reference LIKE 'ZZ-%'")
        ).all()
        assert sorted(references) == [f"{PREFIX}000001", f"{PREFIX}000002"]


@pytest.fixture
def pg_engine(pg_schema_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_schema_url)
    yield engine
    engine.dispose()


def test_postgresql_skips_a_number_another_transaction_is_inserting(pg_engine: Engine) -> None:
    first, second = Session(pg_engine), Session(pg_engine)
    try:
        taken = next_number(first, PREFIX)
        first.add(_case(taken))
        first.flush()  # inserted, not committed: the number's lock is held
        second.execute(text("SET LOCAL lock_timeout = '5s'"))  # a wait fails, not hangs
        following = next_number(second, PREFIX)
        assert following == taken + 1
        second.add(_case(following))
        second.flush()  # no clash, no wait for the first transaction
        first.rollback()  # its lock goes with it: the number is free again
        assert next_number(second, PREFIX) == following + 1  # above its own, not a gap
        third = Session(pg_engine)
        try:
            assert next_number(third, PREFIX) == taken  # the rolled-back number
        finally:
            third.rollback()
            third.close()
    finally:
        first.rollback()
        second.rollback()
        first.close()
        second.close()


@pytest.mark.parametrize("url_factory", ["postgresql"], indirect=True)
def test_nodes_sharing_a_database_do_not_skip_each_others_numbers(
    url_factory: Callable[[], str],
) -> None:
    """Two nodes' schemas in one database: a number one node is inserting is the same
    number the other takes (advisory locks are database-wide; the key names the schema)."""
    engines = [make_engine(url_factory()) for _ in range(2)]
    sessions = [Session(engine) for engine in engines]
    try:
        numbers = []
        for session in sessions:  # the first stays open (its lock held) while the second asks
            number = next_number(session, PREFIX)
            session.add(_case(number))
            session.flush()
            numbers.append(number)
        assert numbers == [1, 1]
    finally:
        for session in sessions:
            session.rollback()
            session.close()
        for engine in engines:
            engine.dispose()


def test_a_case_column_left_unset_takes_its_default_not_null(
    db_factory: sessionmaker[Session], tmp_path: Path
) -> None:
    """The case row is a Core insert of the case's columns: one the composer left unset
    must get the model's default (as the ORM would give it), never a NULL."""
    settings = Settings(party="ZZ", data_dir=tmp_path, public_base_url="http://testserver")
    caller = Caller("u1", "zz-officer", "Officer", Role.LIAISON_OFFICER, "agency-zz", "ZZ")
    now = clock.now()
    with unit_of_work(db_factory) as db:
        case = Case(id=new_id(), reference="", title="A case", origin_party="ZZ")
        case.created_by, case.created_at, case.updated_at = "user:zz-officer", now, now
        Sending(db, caller, settings)._insert_case(case)  # no summary, parties, status, kind
        db.expire_all()
        stored = db.get_one(Case, case.id)
        assert (stored.summary, stored.parties, stored.status, stored.kind) == (
            "",
            [],
            "open",
            "standard",
        )
    assert case.reference == f"ZZ-{now.year}-000001"
