"""After a restore: each peer re-sends what the restored node lost, and says where the
restored node's own stream to it stands (docs/protocol.md, "Resync after a restore").

A node restored from a backup has forgotten the envelopes its peers delivered after
the backup (their outboxes mark them delivered) and the sequence numbers it used
itself since. Before anything else goes to a peer, its deliverer POSTs one sealed
``federation.resync`` request: "I applied your stream through N; I sent you through
M". The peer marks its envelopes after N pending again (outbox rows are never
purged, so it still has them; each keeps its id and number, and the restored inbox,
which does not know those ids, applies each once), and answers, sealed, with the last
sequence it received from the restored node and the ids and numbers of envelopes it
received after M. The peer's audit log records the restore with the length of the
restored chain and how many checkpoints of the older chain it holds beyond it: those
stay as they were, and a new checkpoint contradicting one of them is refused
("the chain was rewritten"), so the gap shows. The restored node gives those rows of
its outbox the same numbers (re-sent, they settle as duplicates) and numbers anything
new after the peer's last.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.federation import direct, keys
from liaison.federation import envelope as env
from liaison.federation.inbox import Inbox
from liaison.kit import clock
from liaison.kit.errors import InvalidEnvelope
from liaison.kit.ids import new_id
from liaison.kit.plugin import Registry
from liaison.ledger.service import record, trail
from liaison.models import (
    AuditCheckpoint,
    InboxMessage,
    OutboxMessage,
    Peer,
    PeerKey,
    PeerResync,
    RestoreEvent,
)

REQUEST = "federation.resync"
ANSWER = "federation.resync_answer"
PATH = "/federation/v1/resync"
MAX_RECEIVED = 10_000  # ids listed back; more than a node sends between backups is odd
Count = Annotated[int, Field(ge=0, le=env.MAX_SEQ)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ResyncRequest(_Wire):
    restore_id: Annotated[str, Field(pattern=env.UUID_PATTERN)]
    applied_through: Count = Field(description="last sequence of yours applied here")
    sent_through: Count = Field(description="last sequence this node sent you, as it knows")
    audit_sequence: Count = Field(
        default=0, description="length of this node's audit chain in the backup it restored"
    )


class Received(_Wire):
    id: Annotated[str, Field(pattern=env.UUID_PATTERN)]
    seq: Annotated[int, Field(ge=1, le=env.MAX_SEQ)]


class ResyncAnswer(_Wire):
    request_id: Annotated[str, Field(pattern=env.UUID_PATTERN)]
    received_through: Count = Field(description="last sequence received from the asker")
    resent: Count = Field(description="envelopes marked to be sent again")
    received: list[Received] = Field(default_factory=list, max_length=MAX_RECEIVED)


def request_for(
    db: Session, settings: Settings, resync: PeerResync, peer: Peer, target: PeerKey
) -> tuple[str, bytes]:
    """The sealed request to ``peer`` (encrypted to its key ``target``), and its id."""
    event = db.get_one(RestoreEvent, resync.restore_id)
    payload = ResyncRequest(
        restore_id=resync.restore_id,
        applied_through=resync.applied_through,
        sent_through=resync.sent_through,
        audit_sequence=event.backup_audit_sequence,
    )
    signer = keys.keypair(db, settings)
    request_id = new_id()
    sealed = direct.seal(
        settings, REQUEST, payload, signer, peer, keys.public_of(target), request_id
    )
    return request_id, sealed


def pending(db: Session, party: str) -> PeerResync | None:
    return db.scalar(
        select(PeerResync)
        .where(PeerResync.peer_party == party, PeerResync.status == "pending")
        .order_by(PeerResync.restore_id)
        .limit(1)
    )


def complete(
    db: Session, settings: Settings, resync: PeerResync, request_id: str, raw: bytes
) -> ResyncAnswer:
    """Apply the peer's sealed answer: renumber what it already has, continue after it."""
    peer = db.get_one(Peer, resync.peer_party)
    answer = direct.open_reply(db, settings, peer, raw, ANSWER, ResyncAnswer)
    if answer.request_id != request_id:
        raise InvalidEnvelope("unexpected", f"answer to {answer.request_id}, not {request_id}")
    renumbered = 0
    for item in answer.received:
        row = db.get(OutboxMessage, item.id)
        if row is not None and row.peer_party == peer.party_code and row.seq in (None, item.seq):
            row.seq = item.seq  # the peer has it under this number: re-sent, a duplicate
            renumbered += 1
    peer.next_out_seq = max(peer.next_out_seq, answer.received_through + 1)
    resync.status = "done"
    resync.done_at = clock.now()
    resync.peer_received_through = answer.received_through
    resync.resent = answer.resent
    resync.last_error = None
    db.flush()
    trail(
        db,
        f"node:{peer.party_code}",
        "federation.resync.completed",
        "federation.peer",
        peer.party_code,
        restore_id=resync.restore_id,
        applied_through=resync.applied_through,
        peer_resends=answer.resent,
        peer_received_through=answer.received_through,
        renumbered=renumbered,
        next_out_seq=peer.next_out_seq,
    )
    return answer


def failed(resync: PeerResync, error: str) -> None:
    resync.attempts += 1
    resync.last_error = error[:2000]


def answer(
    db: Session, settings: Settings, registry: Registry, raw: bytes, remote_addr: str
) -> bytes:
    """The peer's side: re-send what the restored node lost, and say what it sent us."""
    parsed = env.parse(raw, settings.federation_max_envelope_bytes)
    if parsed.header.type != REQUEST:
        raise InvalidEnvelope("unknown_type", f"expected {REQUEST}")
    peer, sender_key = Inbox(db, settings, registry, remote_addr).authenticate(parsed)
    own = keys.keypair(db, settings, parsed.header.recipient.key)
    asked = direct.payload_of(ResyncRequest, env.decrypt(parsed, own, sender_key))
    now = clock.now()
    reset = db.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.peer_party == peer.party_code,
            OutboxMessage.seq > asked.applied_through,
            OutboxMessage.status != "pending",
        )
        .values(status="pending", attempts=0, next_attempt_at=now, delivered_at=None)
        .execution_options(synchronize_session=False)
    )
    resent = cast("CursorResult[Any]", reset).rowcount
    db.execute(  # whatever was backing off (refused as a gap while it was down) goes now
        update(OutboxMessage)
        .where(OutboxMessage.peer_party == peer.party_code, OutboxMessage.status == "pending")
        .values(next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    received = [
        Received(id=row_id, seq=seq)
        for row_id, seq in db.execute(
            select(InboxMessage.id, InboxMessage.seq)
            .where(
                InboxMessage.peer_party == peer.party_code,
                InboxMessage.seq > asked.sent_through,
            )
            .order_by(InboxMessage.seq)
            .limit(MAX_RECEIVED)
        )
    ]
    # Checkpoints of its chain held here beyond the backup's end name entries the restore
    # took away: they stay, as the record of the chain before the restore.
    superseded = db.scalar(
        select(func.count()).where(
            AuditCheckpoint.chain_party == peer.party_code,
            AuditCheckpoint.sequence > asked.audit_sequence,
        )
    )
    peer.last_error = None
    db.info["outbox_queued"] = True  # wakes this process's deliverer after the commit
    record(
        db,
        actor=f"node:{peer.party_code}",
        action="federation.peer.restored",
        object_type="federation.peer",
        object_id=peer.party_code,
        detail={
            "restore_id": asked.restore_id,
            "applied_through": asked.applied_through,
            "sent_through": asked.sent_through,
            "resent": resent,
            "received_through": peer.last_in_seq,
            "chain_restored_to": asked.audit_sequence,
            "checkpoints_beyond_restore": superseded,
        },
    )
    reply = ResyncAnswer(
        request_id=parsed.header.id,
        received_through=peer.last_in_seq,
        resent=resent,
        received=received,
    )
    return direct.seal(settings, ANSWER, reply, own, peer, sender_key)
