"""Two nodes in one process: each its own database, keys and app; envelopes travel
through the real delivery worker and the real inbox over Starlette's TestClient."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from liaison import domains
from liaison.app import create_app
from liaison.config import Settings
from liaison.demo.seed import seed_demo
from liaison.directory.federation import publish_directory
from liaison.federation import keys, peers
from liaison.federation.delivery import Deliverer
from liaison.federation.schemas import PeerCreate
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.kit.plugin import Registry
from tests.support.accounts import bearer_headers
from tests.support.peering import keys_document


@dataclass
class AppNode:
    """One node as an app in this test process (not a live process: see nodes.py)."""

    settings: Settings
    engine: Engine
    factory: sessionmaker[Session]
    client: TestClient

    @property
    def party(self) -> str:
        return self.settings.party

    def headers(self, username: str) -> dict[str, str]:
        """A fresh API token for a demo user of this node."""
        return bearer_headers(self.factory, self.settings.secret_key, username)

    def close(self) -> None:
        self.client.close()
        self.engine.dispose()


def make_node(
    party: str, url: str, root: Path, seeds: Registry | None = None, *, seeded: bool = False
) -> AppNode:
    """``seeds``: the registry whose demo seed steps run (default: every shipped domain's);
    ``seeded``: the database at ``url`` holds ``party``'s demo data already (a copy of a
    seeded template), only the node's keys are made."""
    settings = Settings(
        party=party,
        node_name=f"liaison-{party.lower()}",
        data_dir=root / party.lower(),
        database_url=url,
        public_base_url="http://testserver",
    )
    settings.ensure_secret_key()
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as db:
        if not seeded:
            seed_demo(db, party, seeds or domains.registry())
        keys.ensure_node_key(db, settings)
    client = TestClient(create_app(settings, engine=engine, session_factory=factory))
    return AppNode(settings, engine, factory, client)


def pin_each_other(a: AppNode, b: AppNode) -> None:
    for local, remote in ((a, b), (b, a)):
        with unit_of_work(remote.factory) as db:
            document = keys_document(remote.party, keys.keypair(db, remote.settings))
        data = PeerCreate.model_validate(
            {
                "party_code": remote.party,
                "base_url": "http://testserver",
                "fingerprint": document.keys[0].fingerprint,
            }
        )
        with unit_of_work(local.factory) as db:
            peers.add_peer(db, local.party, data, document)
            publish_directory(db, local.party, remote.party)
    exchange(a, b)


def deliver(sender: AppNode, receiver: AppNode) -> int:
    """One delivery pass of ``sender``'s worker towards ``receiver``."""
    return Deliverer(
        sender.factory, sender.settings, receiver.client, domains.registry()
    ).run_once()


def exchange(a: AppNode, b: AppNode) -> None:
    """Deliver both ways until both outboxes are empty (replies queue more)."""
    for _ in range(10):
        if deliver(a, b) + deliver(b, a) == 0:
            return
    raise AssertionError("the two nodes kept queuing envelopes")
