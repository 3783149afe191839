"""A backlog goes in batches, pipelined (the next batch is sealed while the peer works
on one), yet the peer still receives every envelope once, in order, one batch after
another; a batch that fails stops the pipeline, and the rest waits its turn."""

from __future__ import annotations

import threading
from typing import Any

import httpx
from sqlalchemy import select

from liaison.federation import control, sending
from liaison.federation.delivery import Deliverer
from liaison.kit.db import unit_of_work
from liaison.models import InboxMessage, OutboxMessage
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


def _queue(canada: AppNode, count: int) -> None:
    with unit_of_work(canada.factory) as db:
        for n in range(count):
            control.ping(db, "IN", f"ping {n}")


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
    return Deliverer(canada.factory, settings, client)  # type: ignore[arg-type]


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
    before = len(_received(india))
    _queue(canada, 17)
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
    before = len(_received(india))
    _queue(canada, 12)
    failing = Recording(india.client, fail_batch=2)
    assert _deliverer(canada, failing, monkeypatch).run_once() == 5
    assert failing.batches == [5, 5]  # the third batch was sealed but never posted
    assert _outbox(canada)["pending"] == 7
    with unit_of_work(canada.factory) as db:
        errors = set(
            db.scalars(select(OutboxMessage.last_error).where(OutboxMessage.status == "pending"))
        )
        attempts = set(
            db.scalars(select(OutboxMessage.attempts).where(OutboxMessage.status == "pending"))
        )
    assert errors == {"DeliveryFailed: peer answered HTTP 503: busy", None}
    assert attempts == {0, 1}  # only the batch that failed counts an attempt
    with unit_of_work(canada.factory) as db:  # its backoff over
        for row in db.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")):
            row.next_attempt_at = row.created_at
    assert _deliverer(canada, Recording(india.client), monkeypatch).run_once() == 7
    received = _received(india)[before:]
    assert received == list(range(received[0], received[0] + 12))  # once each, in order
    assert "pending" not in _outbox(canada)
