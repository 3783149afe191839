"""Controlled-delivery changes leaving this node, in the order they were made.

A change leaves once its case has reached the peer: while the case's first message is
held for legal review (or was withdrawn) the peer has no case to attach it to, so the
change waits, with every later change of the case, and the ``controlled-delivery
changes`` job sends them once a message of the case has left.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.federation.outbox import enqueue
from liaison.models import Case, ControlledDeliveryEvent, Message

DELIVERY = "precursors.delivery"
LEFT = ("queued", "sent", "delivered", "answered", "partial", "refused")
PASS = 500


def reached_peer(db: Session, case_id: str) -> bool:
    """A message of the case has left this node, or came from the peer."""
    query = select(Message.id).where(
        Message.case_id == case_id,
        or_(Message.direction == "in", Message.status.in_(LEFT)),
    )
    return db.scalar(query.limit(1)) is not None


def _waiting(db: Session, case_id: str) -> bool:
    query = select(ControlledDeliveryEvent.id).where(
        ControlledDeliveryEvent.case_id == case_id, ControlledDeliveryEvent.waiting.is_(True)
    )
    return db.scalar(query.limit(1)) is not None


def _peers(case: Case, own: str) -> list[str]:
    return [party for party in case.parties if party != own]


def send_change(
    db: Session, settings: Settings, case: Case, event: ControlledDeliveryEvent, wire: Any
) -> None:
    """Queue the change to the other parties, or keep it waiting (after any earlier
    change of the case still waiting). Flushes."""
    peers = _peers(case, settings.party)
    if not peers:
        return
    if _waiting(db, case.id) or not reached_peer(db, case.id):
        event.waiting = True
        event.wire = wire
    else:
        enqueue(db, DELIVERY, wire, peers=peers)
    db.flush()


def send_waiting(db: Session, settings: Settings) -> int:
    """Send the waiting changes of every case that has reached the peer, oldest first.
    Returns how many left."""
    query = (
        select(ControlledDeliveryEvent, Case)
        .join(Case, Case.id == ControlledDeliveryEvent.case_id)
        .where(ControlledDeliveryEvent.waiting.is_(True))
        .order_by(ControlledDeliveryEvent.at, ControlledDeliveryEvent.id)
        .limit(PASS)
    )
    reached: dict[str, bool] = {}
    sent = 0
    for event, case in db.execute(query).all():
        if case.id not in reached:
            reached[case.id] = reached_peer(db, case.id)
        if not reached[case.id] or event.wire is None:
            continue
        enqueue(db, DELIVERY, event.wire, peers=_peers(case, settings.party))
        event.waiting = False
        event.wire = None
        sent += 1
    db.flush()
    return sent
