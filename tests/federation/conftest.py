"""Two real nodes (Canada and India) on random ports, on SQLite or PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.federation.nodes import Node, drop_schema, peer, pg_schema_url


def make_node(backend: str, party: str, root: Path, schemas: list[str]) -> Node:
    url = ""
    if backend == "postgresql":
        schema, url = pg_schema_url(party.lower())
        schemas.append(schema)
    node = Node(party=party, data_dir=root / party.lower(), database_url=url)
    node.data_dir.mkdir(parents=True)
    node.prepare()
    return node


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def nodes(backend: str, tmp_path: Path) -> Iterator[tuple[Node, Node]]:
    """CA and IN, seeded but not yet started or peered."""
    schemas: list[str] = []
    canada = make_node(backend, "CA", tmp_path, schemas)
    india = make_node(backend, "IN", tmp_path, schemas)
    yield canada, india
    canada.stop()
    india.stop()
    for schema in schemas:
        drop_schema(schema)


@pytest.fixture
def peered(nodes: tuple[Node, Node]) -> tuple[Node, Node]:
    """Both started (each with its in-process worker) and pinned at each other."""
    canada, india = nodes
    canada.start()
    india.start()
    peer(canada, india)
    return canada, india
