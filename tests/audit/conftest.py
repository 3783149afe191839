"""Audit fixtures: databases whose writes really commit (concurrency, CLI, tamper),
and two in-process nodes (CA, IN) that exchange real envelopes over TestClient."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from liaison.kit.db import make_engine
from liaison.kit.migrate import upgrade
from tests.audit.pair import Node, make_node, pin_each_other
from tests.conftest import BACKENDS, PG_URL


@pytest.fixture(params=BACKENDS)
def url_factory(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path
) -> Iterator[Callable[[], str]]:
    """Makes migrated databases of their own (SQLite files, or fresh PostgreSQL schemas)."""
    schemas: list[str] = []

    def make() -> str:
        if request.param == "sqlite":
            path = tmp_path / f"audit-{uuid.uuid4().hex[:6]}.db"
            shutil.copy(sqlite_template, path)
            return f"sqlite:///{path}"
        schema = f"liaison_audit_{uuid.uuid4().hex[:10]}"
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        schemas.append(schema)
        url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        return url

    yield make
    if schemas:
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            for schema in schemas:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def committed_url(url_factory: Callable[[], str]) -> str:
    return url_factory()


@pytest.fixture
def pair(url_factory: Callable[[], str], tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    """Canada and India, seeded, keyed, pinned at each other, directories exchanged."""
    canada = make_node("CA", url_factory(), tmp_path)
    india = make_node("IN", url_factory(), tmp_path)
    pin_each_other(canada, india)
    yield canada, india
    canada.close()
    india.close()
