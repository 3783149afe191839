"""Three nodes in one process (Canada, India, the United States), each its own database,
keys and app, pinned to each other; envelopes travel through each node's real delivery
worker and the addressee's real inbox, routed by the peer's URL."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import select

from liaison import domains
from liaison.directory.federation import publish_directory
from liaison.directory.parties import ensure_party
from liaison.federation import keys, peers
from liaison.federation.delivery import Deliverer
from liaison.federation.schemas import PeerCreate
from liaison.kit.db import unit_of_work
from liaison.models import Agency
from tests.support.pair import AppNode, make_node
from tests.support.peering import keys_document


def url_of(party: str) -> str:
    return f"http://{party.lower()}.testserver"


class _Router(httpx.BaseTransport):
    """Sends a request to the app of the node its host names (``in.testserver``: India)."""

    def __init__(self, nodes: Sequence[AppNode]) -> None:
        self.nodes = {node.party.lower(): node for node in nodes}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        node = self.nodes[request.url.host.split(".")[0]]
        return node.client._transport.handle_request(request)


def pin_all(nodes: Sequence[AppNode]) -> None:
    """Every node pins every other and queues its directory for it."""
    for local, remote in itertools.permutations(nodes, 2):
        with unit_of_work(remote.factory) as db:
            document = keys_document(remote.party, keys.keypair(db, remote.settings))
        data = PeerCreate.model_validate(
            {
                "party_code": remote.party,
                "base_url": url_of(remote.party),
                "fingerprint": document.keys[0].fingerprint,
            }
        )
        with unit_of_work(local.factory) as db:
            ensure_party(db, remote.party)  # as 'liaison directory add-party' does
            peers.add_peer(db, local.party, data, document)
            publish_directory(db, local.party, remote.party)


def exchange_all(nodes: Sequence[AppNode]) -> None:
    """Run every node's worker until no outbox has anything left (replies queue more)."""
    with httpx.Client(transport=_Router(nodes)) as router:
        for _ in range(10):
            sent = sum(
                Deliverer(node.factory, node.settings, router, domains.registry()).run_once()
                for node in nodes
            )
            if sent == 0:
                return
    raise AssertionError("the nodes kept queuing envelopes")


@contextmanager
def three_nodes(url_factory: Callable[..., str], root: Path) -> Iterator[list[AppNode]]:
    """Canada, India and the United States, seeded (copies of seeded templates: see
    url_factory), pinned to each other, directories exchanged; closed on exit."""
    parties = ("CA", "IN", "US")
    nodes = [make_node(p, url_factory(seeded_as=p), root, seeded=True) for p in parties]
    try:
        pin_all(nodes)
        exchange_all(nodes)
        yield nodes
    finally:
        for node in nodes:
            node.close()


def agency_ids(node: AppNode) -> dict[str, str]:
    """Every agency the node knows, as {"IN:NCB": id}."""
    with unit_of_work(node.factory) as db:
        rows = db.execute(select(Agency.party_code, Agency.acronym, Agency.id)).all()
        return {f"{party}:{acronym}": agency_id for party, acronym, agency_id in rows}
