"""The transactional outbox: an envelope is queued in the same transaction as its change.

Nothing leaves before the transaction commits; the delivery worker picks rows up after.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from liaison.kit.errors import ConfigurationError, Conflict
from liaison.models import NodeKey, OutboxMessage, Peer

# Set after a commit that queued something, so an in-process worker wakes at once.
outbox_signal = threading.Event()


def _next_seq(db: Session, peer_party: str) -> int:
    """Allocate the next per-peer sequence number (row-locked until the transaction ends)."""
    seq = db.execute(
        update(Peer)
        .where(Peer.party_code == peer_party)
        .values(next_out_seq=Peer.next_out_seq + 1)
        .returning(Peer.next_out_seq)
    ).scalar_one_or_none()
    if seq is None:
        raise Conflict(
            f"{peer_party} is not a pinned peer, so nothing can be sent to it; "
            "pin it first with 'liaison peer add'"
        )
    return int(seq) - 1


def current_key_id(db: Session) -> str:
    key_id = db.scalar(select(NodeKey.key_id).where(NodeKey.is_current))
    if key_id is None:
        raise ConfigurationError("this node has no signing key: run 'liaison init'")
    return key_id


def enqueue(
    db: Session,
    message_type: str,
    payload: dict[str, Any],
    *,
    peers: list[str] | None = None,
    sender_key_id: str | None = None,
) -> list[OutboxMessage]:
    """Queue one envelope per peer (all peers by default). Flushes, never commits."""
    targets = peers if peers is not None else list(db.scalars(select(Peer.party_code)))
    if not targets:
        return []
    # Fixed now, not at delivery: after a rotation, envelopes queued before the
    # announcement must still be signed with the key the peer already trusts.
    signing_key = sender_key_id or current_key_id(db)
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str)
    queued = []
    for party in sorted(targets):
        message = OutboxMessage(
            peer_party=party,
            seq=_next_seq(db, party),
            type=message_type,
            payload=body,
            sender_key_id=signing_key,
        )
        db.add(message)
        queued.append(message)
    if queued:
        db.flush()
        db.info["outbox_queued"] = True
    return queued


@event.listens_for(Session, "after_commit")
def _wake_worker(session: Session) -> None:
    if session.info.pop("outbox_queued", False):
        outbox_signal.set()
