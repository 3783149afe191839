"""A backlog goes in batches, pipelined (the next batch is sealed while the peer works
on one), yet the peer still receives every envelope once, in order, one batch after
another; a batch that fails stops the pipeline, and the rest waits its turn."""

from __future__ import annotations

import threading
from typing import Any

import httpx
from sqlalchemy import select

from liaison import domains
from liaison.federation import control, sending
from liaison.federation.delivery import Deliverer
from liaison.kit.db import unit_of_work
from liaison.models import InboxMessage, OutboxMessage, Peer
from tests.support.pair import AppNode

BATCH = 5


class Recording:
    """The peer's client, noting each batch posted and whether another was in flight."""

    def __init__(self, client: Any, fail_batch: int | None = None) -> None:
        self.client = client
        self.fail_batch = fail_batch
        self.batches: list[int] = []  # envelopes per posted batch
        self.overlapped = False
        self.sealed_while_waiting: list[bool] = []
        self._in_flight = threading.Lock()
        self.seals = 0
        self.sealing = threading.Condition()

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        if not self._in_flight.acquire(blocking=False):
            self.overlapped = True
            self._in_flight.acquire()
        try:
            self.batches.append(kwargs["content"].count(b'"protected"'))
            # the next batch is sealed while this one is with the peer (if there is one)
            following = len(self.batches) + 1
            with self.sealing:
                sealed = self.sealing.wait_for(lambda: self.seals >= following, timeout=2)
            self.sealed_while_waiting.append(sealed)
            if len(self.batches) == self.fail_batch:
                return httpx.Response(503, text="busy", request=httpx.Request("POST", url))
            response: httpx.Response = self.client.post(url, **kwargs)
            return response
        finally:
            self._in_flight.release()

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        response: httpx.Response = self.client.get(url, **kwargs)
        return response


def _backlog(canada: AppNode, india: AppNode, count: int) -> int:
    """Queue ``count`` pings to India; returns how many India had received before."""
    before = len(_received(india))
    with unit_of_work(canada.factory) as db:
        for n in range(count):
            control.ping(db, "IN", f"ping {n}")
    return before


def _deliverer(canada: AppNode, client: Recording, monkeypatch: Any) -> Deliverer:
    seal = sending.seal_batch

    def noting(*args: Any) -> bytes:
        body = seal(*args)
        with client.sealing:
            client.seals += 1
            client.sealing.notify_all()
        return body

    monkeypatch.setattr(sending, "seal_batch", noting)
    settings = canada.settings.model_copy(update={"federation_batch_size": BATCH})
    return Deliverer(canada.factory, settings, client, domains.registry())  # type: ignore[arg-type]


def _received(india: AppNode) -> list[int]:
    with unit_of_work(india.factory) as db:
        query = (
            select(InboxMessage.seq)
            .where(InboxMessage.peer_party == "CA", InboxMessage.type == "federation.ping")
            .order_by(InboxMessage.received_at, InboxMessage.seq)
        )
        return list(db.scalars(query))


def _outbox(canada: AppNode) -> dict[str, int]:
    with unit_of_work(canada.factory) as db:
        rows = db.execute(select(OutboxMessage.status, OutboxMessage.receipt)).all()
    counts: dict[str, int] = {}
    for status, receipt in rows:
        assert (receipt is not None) == (status == "delivered")
        counts[status] = counts.get(status, 0) + 1
    return counts


def test_a_backlog_goes_pipelined_once_and_in_order(
    pair: tuple[AppNode, AppNode], monkeypatch: Any
) -> None:
    canada, india = pair
    before = _backlog(canada, india, 17)
    recording = Recording(india.client)
    assert _deliverer(canada, recording, monkeypatch).run_once() == 17
    assert recording.batches == [5, 5, 5, 2]
    assert not recording.overlapped  # one batch at a time reaches the peer
    # batches 2-4 were sealed while the one before them was with the peer
    assert recording.sealed_while_waiting == [True, True, True, False]
    received = _received(india)[before:]
    assert received == list(range(received[0], received[0] + 17))  # once each, in order
    assert _outbox(canada) == {"delivered": _outbox(canada)["delivered"]}


def test_a_failed_batch_stops_the_pipeline_and_the_rest_follows_in_order(
    pair: tuple[AppNode, AppNode], monkeypatch: Any
) -> None:
    canada, india = pair
    before = _backlog(canada, india, 12)
    failing = Recording(india.client, fail_batch=2)
    assert _deliverer(canada, failing, monkeypatch).run_once() == 5
    assert failing.batches == [5, 5]  # the third batch was sealed but never posted
    assert _outbox(canada)["pending"] == 7
    errors, attempts = _pending(canada)
    assert errors == {"DeliveryFailed: peer answered HTTP 503: busy", None}
    assert attempts == {0, 1}  # only the batch that failed counts an attempt
    _backoff_over(canada)
    assert _deliverer(canada, Recording(india.client), monkeypatch).run_once() == 7
    received = _received(india)[before:]
    assert received == list(range(received[0], received[0] + 12))  # once each, in order
    assert "pending" not in _outbox(canada)


def test_a_batch_that_cannot_be_sealed_in_flight_is_said_and_retried(
    pair: tuple[AppNode, AppNode], monkeypatch: Any
) -> None:
    """The second batch fails to seal while the first is with the peer: the first is
    settled, the second waits its backoff with the reason on its rows and on the peer."""
    canada, india = pair
    before = _backlog(canada, india, 8)
    recording = Recording(india.client)
    deliverer = _deliverer(canada, recording, monkeypatch)
    noting = sending.seal_batch
    calls: list[int] = []

    def second_fails(*args: Any) -> bytes:
        calls.append(len(calls))
        if len(calls) == 2:
            raise ValueError("payload cannot be sealed")
        return noting(*args)

    monkeypatch.setattr(sending, "seal_batch", second_fails)
    assert deliverer.run_once() == 5
    assert recording.batches == [5]
    errors, attempts = _pending(canada)
    assert errors == {"ValueError: payload cannot be sealed"}
    assert attempts == {1}
    with unit_of_work(canada.factory) as db:
        peer = db.get_one(Peer, "IN")
        assert peer.last_error == "ValueError: payload cannot be sealed"
    _backoff_over(canada)
    monkeypatch.setattr(sending, "seal_batch", noting)
    assert _deliverer(canada, Recording(india.client), monkeypatch).run_once() == 3
    received = _received(india)[before:]
    assert received == list(range(received[0], received[0] + 8))  # once each, in order
    assert "pending" not in _outbox(canada)


def _pending(canada: AppNode) -> tuple[set[str | None], set[int]]:
    """The errors and attempt counts on the envelopes still waiting."""
    with unit_of_work(canada.factory) as db:
        rows = db.execute(
            select(OutboxMessage.last_error, OutboxMessage.attempts).where(
                OutboxMessage.status == "pending"
            )
        ).all()
    return {row[0] for row in rows}, {row[1] for row in rows}


def _backoff_over(canada: AppNode) -> None:
    with unit_of_work(canada.factory) as db:
        for row in db.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")):
            row.next_attempt_at = row.created_at
