"""Peer the demo nodes and play the accreditation exchange the readouts announced."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison import domains
from liaison.config import Settings
from liaison.directory import seed_data
from liaison.directory.parties import ensure_party
from liaison.directory.schemas import Accreditation, AccreditationChange
from liaison.directory.service import DirectoryService
from liaison.federation import keys, peers
from liaison.federation.schemas import PeerCreate
from liaison.kit.cli import operator
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.kit.errors import ServiceUnavailable
from liaison.models import Agency, Officer, OutboxMessage, Peer

ACCREDITED_ON = date(2026, 3, 16)


def _in_node(settings: Settings, work: Callable[[Session], object]) -> object:
    engine = make_engine(settings.effective_database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as db:
            return work(db)
    finally:
        engine.dispose()


def own_fingerprint(settings: Settings) -> str:
    """Read straight from the node's own store: the demo's out-of-band channel."""

    def read(db: Session) -> str:
        return keys.public_of(keys.ensure_node_key(db, settings)).fingerprint()

    return str(_in_node(settings, read))


def pin(local: Settings, remote: Settings) -> bool:
    """Pin ``remote`` at ``local`` (idempotent); True if it was new."""
    fingerprint = own_fingerprint(remote)
    document = peers.fetch_keys(remote.public_base_url)
    data = PeerCreate.model_validate(
        {"party_code": remote.party, "base_url": remote.public_base_url, "fingerprint": fingerprint}
    )

    def add(db: Session) -> bool:
        if db.get(Peer, remote.party) is not None:
            return False
        ensure_party(db, remote.party)  # the operator's 'liaison directory add-party'
        peers.add_peer(db, local.party, data, document)
        for welcome in domains.registry().peer_welcomes:  # directory, cyber collections
            welcome(db, local.party, remote.party)
        return True

    return bool(_in_node(local, add))


def _officer_status(settings: Settings, role_title: str) -> str | None:
    def read(db: Session) -> str | None:
        return db.scalar(
            select(Officer.accreditation_status).where(Officer.role_title == role_title)
        )

    status = _in_node(settings, read)
    return status if isinstance(status, str) else None


def _wait(what: str, check: Callable[[], bool], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise ServiceUnavailable(f"demo: timed out waiting for {what}; see the nodes' logs")


def accreditation_exchange(host: Settings, sending: Settings) -> str:
    """The sending party's nomination reaches the host, the host accredits, the decision
    travels back. Returns a one-line account of what happened."""
    role_title = seed_data.OFFICERS[sending.party][0].role_title
    _wait(
        f"the {sending.party} nomination at {host.party}",
        lambda: _officer_status(host, role_title) is not None,
    )

    def decide(db: Session) -> bool:
        officer = db.scalar(select(Officer).where(Officer.role_title == role_title))
        if officer is None or officer.accreditation_status != Accreditation.NOMINATED.value:
            return False
        change = AccreditationChange(status=Accreditation.ACCREDITED, on=ACCREDITED_ON)
        DirectoryService(db, operator(host)).change_accreditation(officer.id, change)
        return True

    decided_now = bool(_in_node(host, decide))
    _wait(
        f"the accreditation decision at {sending.party}",
        lambda: _officer_status(sending, role_title) == Accreditation.ACCREDITED.value,
    )
    verb = "accredited" if decided_now else "had already accredited"
    return (
        f"{sending.party}'s nomination of '{role_title}' reached {host.party}; "
        f"{host.party} {verb} the officer ({ACCREDITED_ON.isoformat()}) and the decision "
        f"reached {sending.party} — see each node's message log"
    )


def _agency_parties(settings: Settings) -> set[str]:
    def read(db: Session) -> set[str]:
        return set(db.scalars(select(Agency.party_code).distinct()))

    found = _in_node(settings, read)
    return found if isinstance(found, set) else set()


def wait_directories(nodes: list[Settings]) -> None:
    """Wait until every node holds the agencies every other node published, so the demo
    cases can be addressed to them."""
    everyone = {node.party for node in nodes}
    _wait(
        "every node's agencies to reach the others",
        lambda: all(_agency_parties(node) >= everyone for node in nodes),
        60,
    )


def accreditation_exchanges(nodes: list[Settings]) -> list[str]:
    """Each party after the first has its first officer accredited by the party that
    hosts it, when that party runs a node too (the readouts' story: India's officer in
    Ottawa; with the United States, its DEA attaché in New Delhi)."""
    by_party = {node.party: node for node in nodes}
    stories = []
    for sending in nodes[1:]:
        officers = seed_data.OFFICERS.get(sending.party, ())
        host = by_party.get(officers[0].host_party_code) if officers else None
        if host is not None:
            stories.append(accreditation_exchange(host=host, sending=sending))
    return stories


def _undelivered(settings: Settings) -> int:
    def count(db: Session) -> int:
        waiting = select(func.count()).where(OutboxMessage.status == "pending")
        return db.scalar(waiting) or 0

    pending = _in_node(settings, count)
    return pending if isinstance(pending, int) else 0


def wait_delivered(nodes: list[Settings], timeout: float = 60) -> None:
    """Wait until no node has a message waiting for a peer (replies included), so the
    demo's story is on every side before the officer looks, and a quick Ctrl-C loses
    nothing of the seed to the next start."""
    _wait(
        "the demo messages to reach the other node",
        lambda: all(_undelivered(node) == 0 for node in nodes),
        timeout,
    )
