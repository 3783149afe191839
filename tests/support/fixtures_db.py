"""Database and app fixtures (a pytest plugin): every integration test runs on SQLite
and on PostgreSQL.

SQLite: each test gets a copy of a database migrated once per run.
PostgreSQL: a schema is built once per run by Alembic and dumped; each worker restores it
into a private schema of the ``test`` database, and each test runs inside a transaction
that is rolled back there (a test whose writes must commit gets a schema of its own).
A test that asks for ``seeded`` gets the same, from a database that was also seeded with
the demo data once per run (a second template file, a second schema).
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
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
from tests.support.accounts import bearer_headers
from tests.support.nodes import PG_DUMP_FILE, drop_schemas, dump_schema, pg_schema, restore_schema
from tests.support.once import once_per_run
from tests.support.pair import AppNode, make_node, pin_each_other

BACKENDS = ["sqlite", "postgresql"]
Headers = Callable[[str], dict[str, str]]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def _seed(engine: Engine, party: str) -> None:
    """``party``'s demo data (every shipped domain's seed step), committed."""
    with unit_of_work(make_session_factory(engine)) as db:
        seed_demo(db, party, domains.registry())


@pytest.fixture(scope="session")
def sqlite_party_templates(sqlite_template: Path) -> Callable[[str], Path]:
    """sqlite_party_templates("IN") -> a migrated SQLite file seeded with India's demo
    data, made once per worker for the tests to copy."""
    made: dict[str, Path] = {}

    def template(party: str) -> Path:
        if party not in made:
            path = sqlite_template.with_name(f"seeded-{party.lower()}.db")
            shutil.copy(sqlite_template, path)
            engine = make_engine(f"sqlite:///{path}")
            _seed(engine, party)
            engine.dispose()
            made[party] = path
        return made[party]

    return template


@pytest.fixture(scope="session")
def sqlite_seeded_template(sqlite_party_templates: Callable[[str], Path]) -> Path:
    return sqlite_party_templates("CA")


def _dump_migrated(folder: Path, *, seed: str | None) -> None:
    """A schema built by Alembic (and seeded with the demo data of the party ``seed``),
    dumped in ``folder`` and dropped."""
    schema, url = pg_schema("migrated")
    try:
        engine = make_engine(url)
        upgrade(engine)
        if seed:
            _seed(engine, seed)
        engine.dispose()
        dump_schema(schema, folder / PG_DUMP_FILE)
    finally:
        drop_schemas(schema)


@pytest.fixture(scope="session")
def pg_migrated_dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dump of a migrated schema, made once per run (restore_schema copies it)."""
    made = once_per_run(tmp_path_factory, "pg-migrated", lambda f: _dump_migrated(f, seed=None))
    return made / PG_DUMP_FILE


@pytest.fixture(scope="session")
def pg_party_dumps(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """pg_party_dumps("IN") -> the same with India's demo data in it (made once per run)."""

    def dump(party: str) -> Path:
        name = f"pg-seeded-{party.lower()}"
        made = once_per_run(tmp_path_factory, name, lambda f: _dump_migrated(f, seed=party))
        return made / PG_DUMP_FILE

    return dump


@pytest.fixture(scope="session")
def pg_seeded_dump(pg_party_dumps: Callable[[str], Path]) -> Path:
    """The same with Canada's demo data in it."""
    return pg_party_dumps("CA")


def _restored(tag: str, dump: Path) -> Iterator[str]:
    """A private schema in the shared ``test`` database, a copy of ``dump``, dropped after."""
    schema, url = pg_schema(tag)
    restore_schema(dump, schema)
    yield url
    drop_schemas(schema)


@pytest.fixture(scope="session")
def pg_schema_url(pg_migrated_dump: Path) -> Iterator[str]:
    yield from _restored("test", pg_migrated_dump)


@pytest.fixture(scope="session")
def pg_seeded_schema_url(pg_seeded_dump: Path) -> Iterator[str]:
    yield from _restored("seeded", pg_seeded_dump)


@pytest.fixture
def seed_from_template() -> bool:
    """Whether ``seeded`` starts from Canada's seeded template (a folder whose node is
    another party, or seeds itself, overrides this with False)."""
    return True


@pytest.fixture(params=BACKENDS)
def db_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A migrated database; seeded with the demo data already if the test uses ``seeded``."""
    seeded = "seeded" in request.fixturenames and request.getfixturevalue("seed_from_template")
    if request.param == "sqlite":
        path = tmp_path / "liaison.db"
        template = "sqlite_seeded_template" if seeded else "sqlite_template"
        shutil.copy(request.getfixturevalue(template), path)
        engine = make_engine(f"sqlite:///{path}")
        yield make_session_factory(engine)
        engine.dispose()
        return
    url = request.getfixturevalue("pg_seeded_schema_url" if seeded else "pg_schema_url")
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
def seeded(db_factory: sessionmaker[Session], settings: Settings) -> sessionmaker[Session]:
    """A node as 'liaison init' and 'liaison seed --demo' leave it (keys included): the
    demo data is in the database ``db_factory`` copied; the node key is this test's."""
    with unit_of_work(db_factory) as db:
        ensure_node_key(db, settings)
    return db_factory


@pytest.fixture
def registry() -> Registry:
    """The domains the node under test is built from (a test may add a plug-in)."""
    return domains.registry()


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
def auth_headers(settings: Settings, seeded: sessionmaker[Session]) -> Headers:
    """auth_headers("ca-admin") -> {"Authorization": "Bearer ..."} for a demo user."""

    def make(username: str) -> dict[str, str]:
        return bearer_headers(seeded, settings.secret_key, username)

    return make


@pytest.fixture(autouse=True)
def _real_clock() -> Iterator[None]:
    yield
    clock.reset_clock()


@pytest.fixture(params=BACKENDS)
def url_factory(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Callable[..., str]]:
    """Makes migrated databases whose writes really commit (SQLite files, or fresh
    PostgreSQL schemas): for concurrency, CLI and tampering tests, and node pairs.
    ``make(seeded_as="IN")`` makes one already seeded with India's demo data (a copy of
    a template seeded once, as ``seed_demo`` leaves it: in a fraction of the time)."""
    schemas: list[str] = []

    def make(seeded_as: str | None = None) -> str:
        if request.param == "sqlite":
            path = tmp_path / f"db-{uuid.uuid4().hex[:6]}.db"
            templates = request.getfixturevalue("sqlite_party_templates")
            shutil.copy(templates(seeded_as) if seeded_as else sqlite_template, path)
            return f"sqlite:///{path}"
        schema, url = pg_schema("commit")
        schemas.append(schema)
        if seeded_as:
            restore_schema(request.getfixturevalue("pg_party_dumps")(seeded_as), schema)
        else:
            restore_schema(request.getfixturevalue("pg_migrated_dump"), schema)
        return url

    yield make
    drop_schemas(*schemas)


@pytest.fixture
def committed_url(url_factory: Callable[..., str]) -> str:
    return url_factory()


@pytest.fixture
def pair(url_factory: Callable[..., str], tmp_path: Path) -> Iterator[tuple[AppNode, AppNode]]:
    """Canada and India in this process, seeded, keyed, pinned at each other, directories
    exchanged (tests/support/fixtures_live.py has the live-process version)."""
    canada = make_node("CA", url_factory(seeded_as="CA"), tmp_path, seeded=True)
    india = make_node("IN", url_factory(seeded_as="IN"), tmp_path, seeded=True)
    pin_each_other(canada, india)
    yield canada, india
    canada.close()
    india.close()
