"""Live-node fixtures (a pytest plugin): Canada and India as real processes on random
ports, on SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.nodes import LiveNode, drop_schemas, peer, pg_schema

Prepared = Callable[[str], Path]


@pytest.fixture(scope="session")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    """prepared("CA") -> the data directory of a SQLite node that ``liaison init`` and
    ``liaison seed --demo`` prepared, made once per session, for nodes to copy."""
    made: dict[str, Path] = {}

    def data_dir(party: str) -> Path:
        if party not in made:
            root = tmp_path_factory.mktemp(f"prepared-{party.lower()}")
            made[party] = LiveNode(party=party, data_dir=root / "node").prepare().data_dir
        return made[party]

    return data_dir


def new_node(
    backend: str, party: str, root: Path, schemas: list[str], prepared: Prepared
) -> LiveNode:
    """A node, initialised and seeded, not started; its PostgreSQL schema (if any) is
    added to ``schemas`` for the caller to drop."""
    if backend == "sqlite":
        node = LiveNode(party=party, data_dir=root / party.lower())
        return node.prepare(like=prepared(party))
    schema, url = pg_schema(f"live_{party.lower()}")
    schemas.append(schema)
    return LiveNode(party=party, data_dir=root / party.lower(), database_url=url).prepare()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def nodes(backend: str, tmp_path: Path, prepared: Prepared) -> Iterator[tuple[LiveNode, LiveNode]]:
    """CA and IN, seeded but not yet started or peered."""
    schemas: list[str] = []
    canada = new_node(backend, "CA", tmp_path, schemas, prepared)
    india = new_node(backend, "IN", tmp_path, schemas, prepared)
    yield canada, india
    canada.stop()
    india.stop()
    drop_schemas(*schemas)


@pytest.fixture
def peered(nodes: tuple[LiveNode, LiveNode]) -> tuple[LiveNode, LiveNode]:
    """Both started (each with its in-process worker) and pinned at each other."""
    canada, india = nodes
    canada.start()
    india.start()
    peer(canada, india)
    return canada, india
