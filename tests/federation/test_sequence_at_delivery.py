"""Sequence numbers are given by the deliverer, in the order envelopes were queued
(not by their ids, which come from each process's clock), and never change after."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.federation.control import PING
from liaison.federation.delivery import assign_sequence
from liaison.federation.outbox import enqueue
from liaison.kit.db import unit_of_work
from liaison.models import OutboxMessage, Peer
from tests.support.peering import pin_peer


def test_queued_envelopes_are_numbered_in_queue_order_once(
    seeded: sessionmaker[Session],
) -> None:
    with unit_of_work(seeded) as db:
        pin_peer(db, "IN")
    ids = ["ffffffff-0000-7000-8000-000000000000", "00000000-0000-7000-8000-000000000000"]
    for envelope_id in ids:  # the later transaction has the smaller id (a slow clock)
        with unit_of_work(seeded) as db:
            (row,) = enqueue(db, PING, {"data": envelope_id}, peers=["IN"])
            assert row.seq is None  # a sender takes no number, and no lock on the peer
            db.flush()
            row_id = row.id
            db.expunge(row)
            db.execute(
                OutboxMessage.__table__.update()
                .where(OutboxMessage.id == row_id)
                .values(id=envelope_id)
            )
    with unit_of_work(seeded) as db:
        assert assign_sequence(db, "IN") == 2
    with unit_of_work(seeded) as db:
        numbered = {i: s for i, s in db.execute(select(OutboxMessage.id, OutboxMessage.seq))}
        assert numbered == {ids[0]: 1, ids[1]: 2}
        assert db.get_one(Peer, "IN").next_out_seq == 3
        (later,) = enqueue(db, PING, {"data": "third"}, peers=["IN"])
    with unit_of_work(seeded) as db:
        assert assign_sequence(db, "IN") == 1
        assert assign_sequence(db, "IN") == 0  # numbers stay; nothing left to number
        assert db.get_one(OutboxMessage, later.id).seq == 3
