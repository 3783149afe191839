"""Live-node fixtures (a pytest plugin): Canada and India as real processes on random
ports, on SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import pytest

from tests.support.nodes import (
    PG_DUMP_FILE,
    LiveNode,
    drop_schemas,
    dump_schema,
    peer,
    pg_schema,
)
from tests.support.once import once_per_run


class Prepared(Protocol):
    def __call__(self, party: str, backend: str = "sqlite", skip: tuple[str, ...] = ()) -> Path: ...


def _prepare(party: str, backend: str, data_dir: Path, skip: tuple[str, ...]) -> None:
    """A node of ``party`` that ``liaison init`` and ``liaison seed --demo`` (``--skip``
    each domain of ``skip``) prepared in ``data_dir``; on PostgreSQL its schema is dumped
    there, then dropped."""
    if backend == "sqlite":
        LiveNode(party=party, data_dir=data_dir).prepare(skip=skip)
        return
    schema, url = pg_schema(f"prepared_{party.lower()}")
    try:
        LiveNode(party=party, data_dir=data_dir, database_url=url).prepare(skip=skip)
        dump_schema(schema, data_dir / PG_DUMP_FILE)
    finally:
        drop_schemas(schema)


@pytest.fixture(scope="session")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    """prepared("CA") -> the data directory of a SQLite node that ``liaison init`` and
    ``liaison seed --demo`` prepared, for nodes to copy; prepared("CA", "postgresql") ->
    the same for a PostgreSQL node, its schema dumped in it (LiveNode.prepare restores it);
    prepared("CA", skip=("workplan",)) -> seeded without the demo workplan.
    Each is made once per run, by whichever pytest-xdist worker first needs it."""

    def data_dir(party: str, backend: str = "sqlite", skip: tuple[str, ...] = ()) -> Path:
        name = "-".join(("prepared", backend, party.lower(), *(f"no{d}" for d in skip)))
        folder = once_per_run(
            tmp_path_factory, name, lambda folder: _prepare(party, backend, folder / "node", skip)
        )
        return folder / "node"

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
    node = LiveNode(party=party, data_dir=root / party.lower(), database_url=url)
    return node.prepare(like=prepared(party, backend))


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
