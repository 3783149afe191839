"""The leak suite's nodes: Canada's and India's, each with the other's agencies as
federation leaves them, the other pinned as a peer, and inbound envelopes applied as
the inbox would. Canada's runs on both backends, India's on SQLite (the access rule is
the same SQL; this keeps the suite's time modest); the full walk of every route
(marked ``walk``) runs once per node: Canada's on PostgreSQL, India's on SQLite."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison import domains
from liaison.config import Settings
from liaison.demo.seed import seed_demo
from liaison.directory import seed_data
from liaison.federation.keys import ensure_node_key
from liaison.kit.db import unit_of_work
from liaison.kit.ids import new_id
from liaison.kit.plugin import InboundContext
from liaison.models import Agency
from tests.support.peering import pin_peer


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "walk: walks every route (once per node, for time)")


@dataclass(frozen=True)
class Node:
    party: str
    peer: str
    home: str  # the analyst's agency: every planted item's audience
    peer_sender: str  # the peer agency that sends the inbound items
    peer_recipient: str  # the peer agency the outbound items go to
    outsider_agency: str  # an agency of this party that no item involves
    collection: str  # the seeded STIX collection the analyst writes to

    def user(self, role: str) -> str:
        return f"{self.party.lower()}-{role}"

    def agency(self, acronym: str) -> str:
        return f"{self.party}:{acronym}"

    def peer_agency(self, acronym: str) -> str:
        return f"{self.peer}:{acronym}"


NODES = {
    "CA": Node("CA", "IN", "CBSA", "CBI", "NCB", "CSIS", "CCCS indicators"),
    "IN": Node("IN", "CA", "NCB", "RCMP", "CBSA", "CBI", "CERT-In indicators"),
}


@pytest.fixture(params=sorted(NODES))
def node(request: pytest.FixtureRequest) -> Node:
    return NODES[request.param]


@pytest.fixture
def settings(tmp_path: Path, node: Node) -> Settings:
    settings = Settings(
        party=node.party,
        node_name=f"liaison-{node.party.lower()}",
        data_dir=tmp_path / "node",
        exchange_max_attachment_bytes=64 * 1024,
    )
    settings.ensure_secret_key()
    return settings


@pytest.fixture
def seed_from_template() -> bool:
    return False  # each node seeds its own party below


@pytest.fixture
def seeded(
    request: pytest.FixtureRequest,
    db_factory: sessionmaker[Session],
    settings: Settings,
    node: Node,
) -> sessionmaker[Session]:
    with unit_of_work(db_factory) as db:
        seed_demo(db, node.party, domains.registry())
        ensure_node_key(db, settings)
    return db_factory


@pytest.fixture
def agencies(seeded: sessionmaker[Session], node: Node) -> dict[str, str]:
    """Party:acronym -> id for both parties; the peer's as if published over federation."""
    with unit_of_work(seeded) as db:
        for seed in seed_data.AGENCIES[node.peer]:
            db.add(
                Agency(
                    party_code=node.peer,
                    name=seed.name,
                    acronym=seed.acronym,
                    mandate_areas=list(seed.mandate_areas),
                    origin_node=f"liaison-{node.peer.lower()}",
                )
            )
        pin_peer(db, node.peer, own_party=node.party)
        db.flush()
        rows = db.execute(select(Agency.acronym, Agency.party_code, Agency.id)).all()
    return {f"{party}:{acronym}": agency_id for acronym, party, agency_id in rows}


@pytest.fixture
def receive(
    seeded: sessionmaker[Session], settings: Settings, node: Node
) -> Callable[[dict[str, Any]], None]:
    """Apply an ``exchange.message`` payload as the inbox would, from the peer."""

    def apply(payload: dict[str, Any]) -> None:
        handler = domains.registry().handler_for("exchange.message")
        assert handler is not None
        context = InboundContext(
            settings=settings,
            sender_party=node.peer,
            sender_node=f"liaison-{node.peer.lower()}",
            envelope_id=new_id(),
            seq=1,
            registry=domains.registry(),
        )
        with unit_of_work(seeded) as db:
            handler(db, context, payload)

    return apply


def _not_run(item: pytest.Item) -> bool:
    """India's node runs on SQLite only, and the full walk runs once per node (Canada's
    on PostgreSQL): the same SQL, at a third of the time. Such pairs are not collected."""
    callspec = getattr(item, "callspec", None)
    if callspec is None or "tests/security/" not in item.nodeid:
        return False
    backend = "postgresql" if "postgresql" in callspec.id else "sqlite"
    india = "IN" in callspec.id.split("-")
    if india and backend == "postgresql":
        return True
    return item.get_closest_marker("walk") is not None and not india and backend == "sqlite"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    dropped = [item for item in items if _not_run(item)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if not _not_run(item)]
