"""The resolution job on SQLite: each message resolved in its own short transaction, so
an officer's send never waits on a whole batch of resolution (on a loaded machine a
batch outlasted the 15 s busy timeout and a bulk hit/no-hit check failed with
"Database busy")."""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.domains import registry
from liaison.kit.db import unit_of_work
from liaison.kit.plugin import JobContext
from liaison.models import NetworkRecord
from liaison.networks import jobs


@pytest.mark.parametrize("db_factory", ["sqlite"], indirect=True)  # its one write lock
def test_the_write_lock_is_free_between_messages(
    seeded: sessionmaker[Session],
    settings: Settings,
    shared: dict[str, dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = seeded.kw["bind"].url
    locked_at: list[str] = []
    real = jobs.resolve_message

    def resolve_after_a_write(db: Session, message: Any, weights: Any) -> int:
        other = sqlite3.connect(url.database, timeout=0)  # an officer's send, not waiting
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        except sqlite3.OperationalError:
            locked_at.append(message.id)
        finally:
            other.close()
        return real(db, message, weights)

    monkeypatch.setattr(jobs, "resolve_message", resolve_after_a_write)
    with httpx.Client() as http:
        context = JobContext(settings, seeded, registry(), http)
        done = jobs.resolve_job(context)
        assert jobs.resolve_job(context) == 0  # nothing is resolved twice
    assert locked_at == []
    with unit_of_work(seeded) as db:
        assert done == db.scalar(select(func.count()).select_from(NetworkRecord)) >= 6
