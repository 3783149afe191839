"""The sending node's side of an attachment pull: one range of one attachment, sealed
to the peer that asks, if that peer is the one the message was sent to.

Anything else (an attachment of a message to another party, one still held for
review or withdrawn, an unknown id) answers 404 and is audited as refused; the first
and the last range served are audited as the transfer's start and end.
"""

from __future__ import annotations

import base64
import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.exchange import transfer_wire as wire
from liaison.exchange.attachments import read_blob
from liaison.federation import direct, keys
from liaison.federation import envelope as env
from liaison.federation.inbox import Inbox
from liaison.kit.errors import InvalidEnvelope, NotFound
from liaison.kit.plugin import Registry
from liaison.ledger.service import record
from liaison.models import Attachment, Message

NOT_SENT = ("draft", "held_for_review", "withdrawn")


def read_range(settings: Settings, blob_id: str, offset: int, length: int) -> bytes:
    """``length`` plaintext bytes of a blob from ``offset`` (decrypted record by record,
    only the range is kept)."""
    out = bytearray()
    position = 0
    end = offset + length
    for record_bytes in read_blob(settings, blob_id):
        following = position + len(record_bytes)
        if following > offset:
            out += record_bytes[max(0, offset - position) : end - position]
        position = following
        if position >= end:
            break
    return bytes(out)


def _refused(db: Session, party: str, object_id: str, reason: str) -> None:
    direct.record_refusal(
        db, party, "exchange.attachment.pull_refused", "exchange.attachment", object_id, reason
    )


def _attachment_for(db: Session, party: str, asked: wire.ChunkRequest) -> Attachment:
    """The attachment, only if it belongs to a message sent to ``party`` (else 404)."""
    found = db.scalar(
        select(Attachment)
        .join(Message, Message.id == Attachment.message_id)
        .where(
            Attachment.id == asked.attachment_id,
            Message.id == asked.message_id,
            Message.direction == "out",
            Message.to_party == party,
            Message.sent_at.is_not(None),
            Message.status.not_in(NOT_SENT),
        )
    )
    if found is None:
        _refused(db, party, asked.attachment_id, "not an attachment sent to this peer")
        raise NotFound(f"no attachment {asked.attachment_id}")
    return found


def answer(
    db: Session, settings: Settings, registry: Registry, raw: bytes, remote_addr: str
) -> bytes:
    """One sealed range request in, one framed answer out (transfer_wire.py); raises
    ``InvalidEnvelope`` or ``NotFound`` (both audited)."""
    try:
        parsed = env.parse(raw, settings.federation_max_envelope_bytes)
        if parsed.header.type != wire.REQUEST:
            raise InvalidEnvelope("unknown_type", f"expected {wire.REQUEST}")
        peer, sender_key = Inbox(db, settings, registry, remote_addr).authenticate(parsed)
    except InvalidEnvelope as error:
        _refused(db, "", "", f"{error.reason}: {error.detail}")
        raise
    own = keys.keypair(db, settings, parsed.header.recipient.key)
    try:
        asked = direct.payload_of(wire.ChunkRequest, env.decrypt(parsed, own, sender_key))
    except InvalidEnvelope as error:
        _refused(db, peer.party_code, "", f"{error.reason}: {error.detail}")
        raise
    attachment = _attachment_for(db, peer.party_code, asked)
    if asked.offset > attachment.size:
        _refused(db, peer.party_code, attachment.id, f"offset {asked.offset} past the end")
        raise NotFound(f"attachment {attachment.id} has no byte {asked.offset}")
    data = read_range(settings, attachment.blob_id, asked.offset, asked.length)
    if asked.offset == 0 or asked.offset + len(data) >= attachment.size:
        record(
            db,
            actor=f"node:{peer.party_code}",
            action="exchange.attachment.served",
            object_type="exchange.attachment",
            object_id=attachment.id,
            detail={
                "message_id": attachment.message_id,
                "offset": asked.offset,
                "bytes": len(data),
                "size": attachment.size,
                "complete": asked.offset + len(data) >= attachment.size,
            },
        )
    cipher, key, nonce = wire.encrypt(data, parsed.header.id)
    reply = wire.ChunkAnswer(
        request_id=parsed.header.id,
        attachment_id=attachment.id,
        offset=asked.offset,
        length=len(data),
        size=attachment.size,
        sha256=hashlib.sha256(data).hexdigest(),
        key=base64.b64encode(key).decode("ascii"),
        nonce=base64.b64encode(nonce).decode("ascii"),
    )
    del data
    return wire.frame(direct.seal(settings, wire.ANSWER, reply, own, peer, sender_key), cipher)
