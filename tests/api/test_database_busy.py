"""A SQLite node whose database another writer holds past the busy timeout: the request
gets a 503 problem with Retry-After (not a 500 with a traceback), nothing is saved, and
the same request succeeds once the lock is gone."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from fastapi.testclient import TestClient

from liaison import domains
from liaison.app import create_app
from liaison.config import Settings
from liaison.demo.seed import seed_demo
from liaison.federation.keys import ensure_node_key
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.users import service
from liaison.users.auth import caller_for
from liaison.users.repository import find_login_user
from liaison.users.schemas import TokenCreate

AGENCY = {"party_code": "CA", "name": "Canada Border Services Agency Lab", "acronym": "CBSALAB"}


def test_locked_database_answers_503_and_saves_nothing(
    tmp_path: Path, sqlite_template: Path, settings: Settings
) -> None:
    path = tmp_path / "busy.db"
    shutil.copy(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}", sqlite_busy_timeout_ms=200)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as db:
        seed_demo(db, "CA", domains.registry())
        ensure_node_key(db, settings)
        user = find_login_user(db, "ca-admin")
        assert user is not None
        _, token = service.issue_token(
            db, settings.secret_key, caller_for(db, user), "ca-admin", TokenCreate(name="t")
        )
    headers = {"Authorization": f"Bearer {token}"}
    app = create_app(settings, engine=engine, session_factory=factory)
    with TestClient(app, raise_server_exceptions=False) as client:
        other_writer = sqlite3.connect(path, isolation_level=None)
        other_writer.execute("BEGIN IMMEDIATE")
        try:
            busy = client.post("/api/v1/agencies", json=AGENCY, headers=headers)
        finally:
            other_writer.execute("ROLLBACK")
            other_writer.close()
        assert busy.status_code == 503, busy.text
        assert busy.headers["retry-after"] == "2"
        assert busy.headers["content-type"].startswith("application/problem+json")
        assert "nothing was saved" in busy.json()["detail"]
        acronyms = {a["acronym"] for a in client.get("/api/v1/agencies", headers=headers).json()}
        assert "CBSALAB" not in acronyms
        retried = client.post("/api/v1/agencies", json=AGENCY, headers=headers)
        assert retried.status_code == 201, retried.text
    engine.dispose()
