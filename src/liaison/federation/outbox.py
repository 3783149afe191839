"""The transactional outbox: an envelope is queued in the same transaction as its change.

Nothing leaves before the transaction commits; the delivery worker picks rows up after.
The per-peer sequence number is not taken here: the deliverer numbers committed rows
(``delivery.assign_sequence``) while it holds the peer's delivery cursor. So a sender's
transaction never locks the peer row, and cannot deadlock with inbound work (which
holds that row for its whole batch) or with delivery.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from liaison.kit.errors import ConfigurationError, Conflict
from liaison.models import NodeKey, OutboxMessage, Peer

# Set after a commit that queued something, so an in-process worker wakes at once.
outbox_signal = threading.Event()
# On PostgreSQL the same commit notifies workers in other processes (federation/wake.py).
CHANNEL = "liaison_outbox"
_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', current_schema())")


def _check_peers(db: Session, parties: list[str], key_id: str | None) -> str:
    """Refuse parties that are not pinned peers; return the signing key: ``key_id``, or
    the current one, read in the same query as the peers (one round trip per send)."""
    current = select(NodeKey.key_id).where(NodeKey.is_current).limit(1).scalar_subquery()
    rows = db.execute(select(Peer.party_code, current).where(Peer.party_code.in_(parties))).all()
    signing = key_id or (rows[0][1] if rows else None) or current_key_id(db)  # raises if none
    known = {row[0] for row in rows}
    for party in parties:
        if party not in known:
            raise Conflict(
                f"{party} is not a pinned peer, so nothing can be sent to it; "
                "pin it first with 'liaison peer add'"
            )
    return str(signing)


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
    if peers is not None:
        signing_key = _check_peers(db, targets, sender_key_id)
    else:
        signing_key = sender_key_id or current_key_id(db)
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True, default=str)
    queued = []
    for party in sorted(targets):
        message = OutboxMessage(
            peer_party=party,
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


@event.listens_for(Session, "before_commit")
def _notify_other_processes(session: Session) -> None:
    if session.info.get("outbox_queued") and session.get_bind().dialect.name == "postgresql":
        session.execute(_NOTIFY)  # delivered by PostgreSQL only if the commit succeeds
