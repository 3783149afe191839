"""Shared fixtures: every integration test runs on SQLite and on PostgreSQL.

SQLite: each test gets a copy of a database migrated once per run.
PostgreSQL: the schema is built once per run by Alembic in a private schema of the
``test`` database; each test runs inside a transaction that is rolled back.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from liaison import domains
from liaison.app import create_app
from liaison.config import Settings
from liaison.demo.seed import seed_demo
from liaison.federation.keys import ensure_node_key
from liaison.kit import clock
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.kit.migrate import upgrade
from liaison.kit.plugin import Registry
from liaison.users import service
from liaison.users.auth import caller_for
from liaison.users.repository import find_login_user
from liaison.users.schemas import TokenCreate

PG_URL = os.environ.get("LIAISON_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """A private schema in the shared ``test`` database, built by Alembic, dropped after."""
    schema = f"liaison_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{PG_URL}?options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_factory(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[sessionmaker[Session]]:
    if request.param == "sqlite":
        path = tmp_path / "liaison.db"
        shutil.copy(sqlite_template, path)
        engine = make_engine(f"sqlite:///{path}")
        yield make_session_factory(engine)
        engine.dispose()
        return
    url = request.getfixturevalue("pg_schema_url")
    engine = make_engine(url)
    connection = engine.connect()
    outer = connection.begin()
    yield sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    outer.rollback()
    connection.close()
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    node = Settings(party="CA", node_name="liaison-ca", data_dir=tmp_path / "node")
    node.ensure_secret_key()
    return node


@pytest.fixture
def registry() -> Registry:
    """The domains the node under test is built from (a test may add a plug-in)."""
    return domains.registry()


@pytest.fixture
def seeded(db_factory: sessionmaker[Session], settings: Settings) -> sessionmaker[Session]:
    """A node as 'liaison init' and 'liaison seed --demo' leave it (keys included)."""
    with unit_of_work(db_factory) as db:
        seed_demo(db, "CA", domains.registry())
        ensure_node_key(db, settings)
    return db_factory


@pytest.fixture
def client(
    settings: Settings, seeded: sessionmaker[Session], registry: Registry
) -> Iterator[TestClient]:
    bind = seeded.kw["bind"]
    engine: Engine = bind if isinstance(bind, Engine) else bind.engine
    app = create_app(settings, engine=engine, session_factory=seeded, registry=registry)
    with TestClient(app, raise_server_exceptions=True) as test_client:
        yield test_client


@pytest.fixture
def auth_headers(
    settings: Settings, seeded: sessionmaker[Session]
) -> Callable[[str], dict[str, str]]:
    """auth_headers("ca-admin") -> {"Authorization": "Bearer ..."} for a demo user."""

    def make(username: str) -> dict[str, str]:
        with unit_of_work(seeded) as db:
            user = find_login_user(db, username)
            assert user is not None, username
            caller = caller_for(db, user)
            _, plaintext = service.issue_token(
                db, settings.secret_key, caller, username, TokenCreate(name="test")
            )
        return {"Authorization": f"Bearer {plaintext}"}

    return make


@pytest.fixture(autouse=True)
def _real_clock() -> Iterator[None]:
    yield
    clock.reset_clock()
