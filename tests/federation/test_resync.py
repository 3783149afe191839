"""The resync after a restore (docs/protocol.md §6a), in-process on both backends: the
peer re-sends what the restored node lost; an envelope the restored node had queued
before the backup but numbered after it is given the peer's number back and settles
as a duplicate; a forged request resets nothing."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from liaison.doctor import checks
from liaison.federation import control, resync
from liaison.federation.delivery import recipient_key
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.models import InboxMessage, OutboxMessage, Peer, PeerResync, RestoreEvent
from tests.support.pair import AppNode, deliver, exchange


def _restored(node: AppNode, party: str) -> None:
    """What ``liaison restore`` leaves: a restore event and a pending resync per peer."""
    with unit_of_work(node.factory) as db:
        event = RestoreEvent(
            backup_created_at=clock.now() - timedelta(hours=1),
            backup_revision="0013_restore_events",
            backup_audit_sequence=1,
        )
        db.add(event)
        db.flush()
        peer = db.get_one(Peer, party)
        db.add(
            PeerResync(
                restore_id=event.id,
                peer_party=party,
                applied_through=peer.last_in_seq,
                sent_through=peer.next_out_seq - 1,
            )
        )


def test_resync_resends_lost_envelopes_and_renumbers_what_the_peer_has(
    pair: tuple[AppNode, AppNode],
) -> None:
    canada, india = pair
    with unit_of_work(india.factory) as db:
        for n in range(3):
            control.ping(db, "CA", f"from India {n}")
    with unit_of_work(canada.factory) as db:
        sent = control.ping(db, "IN", "queued before the backup").id
    exchange(canada, india)
    with unit_of_work(canada.factory) as db:  # "restore": the last 3 inbound rows are lost
        peer = db.get_one(Peer, "IN")
        lost = list(
            db.scalars(
                select(InboxMessage)
                .where(InboxMessage.peer_party == "IN")
                .order_by(InboxMessage.seq.desc())
                .limit(3)
            )
        )
        for row in lost:
            db.delete(row)
        peer.last_in_seq -= 3
        row = db.get_one(OutboxMessage, sent)  # queued before the backup, numbered after
        india_has = row.seq
        peer.next_out_seq = india_has
        row.seq, row.status, row.receipt = None, "pending", None
    _restored(canada, "IN")
    with canada.factory() as db:  # 'liaison doctor' says the peer has not re-sent yet
        (waiting,) = checks.resync(db, db.get_one(Peer, "IN"))
        assert "has not yet re-sent what the restore lost" in waiting.detail
    assert deliver(india, canada) == 0  # nothing pending at India: it holds receipts

    assert deliver(canada, india) >= 1  # resync first, then the re-delivery settles
    exchange(canada, india)
    with unit_of_work(canada.factory) as db:
        inbound = select(func.count()).select_from(InboxMessage)
        assert (
            db.scalar(inbound.where(InboxMessage.peer_party == "IN"))
            == db.get_one(Peer, "IN").last_in_seq
        )
        row = db.get_one(OutboxMessage, sent)
        assert (row.seq, row.status) == (india_has, "delivered")
        assert db.scalar(select(PeerResync.status)) == "done"
        assert list(checks.resync(db, db.get_one(Peer, "IN"))) == []
        fresh = control.ping(db, "IN", "first after the restore").id
    exchange(canada, india)
    with unit_of_work(canada.factory) as db:
        row = db.get_one(OutboxMessage, fresh)
        assert (row.seq, row.receipt_status) == (india_has + 1, "accepted")
    with unit_of_work(india.factory) as db:
        assert db.scalar(select(func.count()).where(InboxMessage.peer_party == "CA")) == (
            india_has + 1
        )


def test_a_forged_resync_resets_nothing(pair: tuple[AppNode, AppNode]) -> None:
    """A resync request whose signature does not verify is refused (400) and India
    marks nothing to be sent again."""
    canada, india = pair
    _restored(canada, "IN")
    with unit_of_work(canada.factory) as db:
        asking = resync.pending(db, "IN")
        assert asking is not None
        peer = db.get_one(Peer, "IN")
        _, sealed = resync.request_for(db, canada.settings, asking, peer, recipient_key(db, peer))
    envelope = json.loads(sealed)
    envelope["signature"] = ("B" if envelope["signature"][0] == "A" else "A") + envelope[
        "signature"
    ][1:]
    answer = india.client.post(resync.PATH, json=envelope)
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_envelope"
    with unit_of_work(india.factory) as db:
        pending = select(func.count()).where(
            OutboxMessage.peer_party == "CA", OutboxMessage.status == "pending"
        )
        assert db.scalar(pending) == 0
        assert db.scalar(select(func.count()).where(OutboxMessage.peer_party == "CA")) > 0
