"""A backlog to a peer that was down goes as soon as the peer answers again, not when
the longest backoff runs out (issue 13: "a backlog waits minutes after the peer is up")."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import select, update

from liaison import domains
from liaison.federation import control
from liaison.federation.delivery import Deliverer
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.models import OutboxMessage, Peer
from tests.support.pair import AppNode


def _refuse_connection(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def _pending(node: AppNode) -> list[OutboxMessage]:
    with unit_of_work(node.factory) as db:
        query = select(OutboxMessage).where(OutboxMessage.status == "pending")
        return list(db.scalars(query))


def test_backoff_ends_when_the_peer_answers_again(pair: tuple[AppNode, AppNode]) -> None:
    canada, india = pair
    with unit_of_work(canada.factory) as db:
        control.ping(db, "IN", "are you there?")
    down = httpx.Client(transport=httpx.MockTransport(_refuse_connection))
    assert Deliverer(canada.factory, canada.settings, down, domains.registry()).run_once() == 0
    (row,) = _pending(canada)
    assert row.attempts == 1
    assert row.last_error.startswith("ConnectError")
    with unit_of_work(canada.factory) as db:  # as after many failures: minutes to wait
        db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row.id)
            .values(next_attempt_at=clock.now() + timedelta(minutes=5))
        )
    # still down: the probe fails and the row keeps waiting
    assert Deliverer(canada.factory, canada.settings, down, domains.registry()).run_once() == 0
    # India is back: its health endpoint answers, and the backlog goes now
    assert (
        Deliverer(canada.factory, canada.settings, india.client, domains.registry()).run_once() == 1
    )
    assert _pending(canada) == []


def test_a_peer_that_answered_with_refusals_keeps_its_backoff(
    pair: tuple[AppNode, AppNode],
) -> None:
    """It was reachable: answering again is no news, and hammering it would only get
    this node throttled by it (regression: the answer itself counted as contact)."""
    canada, _ = pair
    with unit_of_work(canada.factory) as db:
        control.ping(db, "IN", "are you there?")
        now = clock.now()
        db.execute(
            update(OutboxMessage).values(attempts=3, next_attempt_at=now + timedelta(minutes=5))
        )
        peer = db.get_one(Peer, "IN")
        peer.last_error = "unknown_sender: CA/liaison-ca is not a pinned peer"
        peer.last_error_at = now
        peer.last_contact_at = now + timedelta(milliseconds=5)  # it did answer
    requests: list[str] = []

    def count(request: httpx.Request) -> httpx.Response:
        requests.append(str(request.url))
        return httpx.Response(200)

    counting = httpx.Client(transport=httpx.MockTransport(count))
    assert Deliverer(canada.factory, canada.settings, counting, domains.registry()).run_once() == 0
    assert requests == []
    assert len(_pending(canada)) == 1
