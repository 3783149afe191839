"""Three live nodes (a pytest plugin): Canada, India and the United States as real
``liaison serve`` processes (each with its in-process delivery worker) on free ports,
SQLite, pinned to each other with the fingerprints read from each node's own keys
endpoint, as three operators would. Module-scoped: started once for a test module.
They are seeded without the Ottawa (Canada-India) workplan, so that the three can adopt
a plan of their own (a node holds one plan).

Canada's operator sets the United States' urgent response time to 36 seconds
(``LIAISON_EXCHANGE_DEADLINE_HOURS_BY_PARTY``, URGENT_HOURS_US below) so that a test
can see one party's clock run out while the other's has days left; nothing else
differs from a demo node.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from liaison.config import Settings
from liaison.demo.peering import pin
from tests.support.fixtures_live import Prepared
from tests.support.nodes import LiveNode, wait_for

PARTIES = ("CA", "IN", "US")
URGENT_HOURS_US = 0.01  # 36 s, Canada's clock on its urgent requests to the US


@dataclass
class LiveTrio:
    canada: LiveNode
    india: LiveNode
    us: LiveNode

    @property
    def nodes(self) -> tuple[LiveNode, LiveNode, LiveNode]:
        return (self.canada, self.india, self.us)

    def agencies(self, node: LiveNode, username: str) -> dict[str, str]:
        """Every agency of the three parties that ``node`` knows, as {"IN:NCB": id}."""
        found = {}
        with node.api(username) as api:
            for party in PARTIES:
                params = {"party": party, "limit": 100}
                for row in api.get("/api/v1/agencies", params=params).json():
                    found[f"{party}:{row['acronym']}"] = row["id"]
        return found

    def knows_everyone(self, node: LiveNode, username: str) -> bool:
        """True once ``node`` holds agencies of all three parties (directories arrived)."""
        known = {key.split(":")[0] for key in self.agencies(node, username)}
        return known == set(PARTIES)


def settings_of(node: LiveNode) -> Settings:
    """The running node's settings, as its operator's shell has them."""
    return Settings(
        party=node.party,
        node_name=node.name,
        data_dir=node.data_dir,
        database_url=node.database_url,
        public_base_url=node.url,
    )


def pin_all(nodes: tuple[LiveNode, ...]) -> None:
    """Each node adds the others to its directory, pins them (the key fetched from the
    peer's endpoint, checked against the fingerprint read from the peer's own store)
    and queues its directory for them: what ``liaison directory add-party`` and
    ``liaison peer add`` do, as ``liaison demo`` does it (in this process: a dozen CLI
    starts cost minutes on a loaded machine)."""
    for local, remote in itertools.permutations(nodes, 2):
        pin(settings_of(local), settings_of(remote))


@pytest.fixture(scope="module")
def live_trio(tmp_path_factory: pytest.TempPathFactory, prepared: Prepared) -> Iterator[LiveTrio]:
    root = tmp_path_factory.mktemp("live-trio")
    nodes = [
        LiveNode(party=party, data_dir=root / party.lower()).prepare(
            like=prepared(party, skip=("workplan",))
        )
        for party in PARTIES
    ]
    nodes[0].extra_env["LIAISON_EXCHANGE_DEADLINE_HOURS_BY_PARTY"] = json.dumps(
        {"US": {"urgent": URGENT_HOURS_US}}
    )
    trio = LiveTrio(*nodes)
    try:
        for node in nodes:
            node.start()
        pin_all(trio.nodes)
        for node in nodes:
            username = f"{node.party.lower()}-officer"
            wait_for(
                lambda node=node, username=username: trio.knows_everyone(node, username),
                timeout=120,
                what=f"the other parties' agencies at {node.party}",
            )
        yield trio
    finally:
        for node in nodes:
            node.stop()
