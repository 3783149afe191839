"""The receiving node's side of an attachment pull (docs/protocol.md, "Attachments").

``expect`` records, with the inbound message, one transfer per attachment it names;
the message is visible at once with those attachments "arriving". The worker's job
then pulls each transfer range by range from the sending node over a sealed direct
request, checks every answer (signed by the peer, the range asked for, its SHA-256)
and appends it, encrypted, to a partial file, committing the verified length after
each range: a process killed midway resumes from the last committed range on the
next pass. With every byte in, the content goes through this node's own checks (size,
executables, polyglots, archives) into the blob store, its SHA-256 is compared with
the message's, and only then does the attachment appear. A transfer that cannot
complete (the sender refuses or no longer holds it, the content is refused here,
too many failed attempts) is marked failed, with the reason, on the message.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from nacl.exceptions import CryptoError
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.exchange import transfer_store
from liaison.exchange import transfer_wire as wire
from liaison.exchange.attachments import (
    BlobCorrupted,
    StoredBlob,
    delete_blob,
    is_executable,
    store_chunks,
)
from liaison.exchange.wire_schemas import AttachmentWire
from liaison.federation import direct, keys
from liaison.federation.delivery import recipient_key
from liaison.kit import clock
from liaison.kit.db import unit_of_work
from liaison.kit.errors import InvalidEnvelope, LiaisonError
from liaison.kit.ids import new_id
from liaison.kit.plugin import JobContext, PayloadRefused
from liaison.ledger.service import record
from liaison.models import Attachment, AttachmentTransfer, Message, Peer

MAX_ATTEMPTS = 12
# A claimed transfer is left to its worker this long after each range (a killed worker's
# transfer is taken up again then); two workers on one transfer cannot corrupt it: the
# row is locked while a range is appended, and a range not at its end is refused.
LEASE_SECONDS = 5
CLAIM = 4
OBJECT_TYPE = "exchange.attachment"


class _Retry(Exception):
    """This attempt failed; try again later (with backoff)."""


class _Failed(Exception):
    """The transfer cannot complete."""


class _Refused(_Retry):
    """A range refused (tampered, not the one asked for): audited, retried."""


class _Unreachable(_Retry):
    """The sending node did not answer: retried for as long as it takes (shown)."""


@dataclass(frozen=True)
class _Step:
    url: str
    sealed: bytes
    request_id: str


def expect(
    db: Session, settings: Settings, message: Message, items: Sequence[AttachmentWire]
) -> None:
    """One transfer per attachment the inbound message names (what the name and the
    announced size already show is refused with the message, as before)."""
    limit = settings.exchange_max_attachment_bytes
    for item in items:
        if item.size > limit:
            raise PayloadRefused(
                "invalid_payload", f"attachment {item.filename}: over the limit of {limit} bytes"
            )
        if is_executable(b"", item.filename):
            raise PayloadRefused(
                "invalid_payload", f"attachment {item.filename}: executables are not accepted"
            )
        db.add(
            AttachmentTransfer(
                id=item.id,
                message_id=message.id,
                peer_party=message.from_party,
                filename=item.filename,
                mime=item.mime,
                size=item.size,
                sha256=item.sha256,
                tlp=item.tlp.value,
                handling_code=item.handling_code.value,
                status="arriving",
                received=0,
                part_bytes=0,
                attempts=0,
                next_attempt_at=clock.now(),
            )
        )


def _audit(
    db: Session, transfer: AttachmentTransfer, action: str, keep: bool = False, **detail: object
) -> None:
    record(
        db,
        actor=f"node:{transfer.peer_party}",
        action=action,
        object_type=OBJECT_TYPE,
        object_id=transfer.id,
        detail={"message_id": transfer.message_id, "filename": transfer.filename} | detail,
        keep=keep,
    )


def _claim(context: JobContext) -> list[str]:
    now = clock.now()
    with unit_of_work(context.sessions) as db:
        rows = db.scalars(
            select(AttachmentTransfer)
            .where(AttachmentTransfer.status == "arriving")
            .where(AttachmentTransfer.next_attempt_at <= now)
            .order_by(AttachmentTransfer.created_at)
            .limit(CLAIM)
            .with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            row.next_attempt_at = now + timedelta(seconds=LEASE_SECONDS)
        return [row.id for row in rows]


def _next_step(db: Session, settings: Settings, transfer: AttachmentTransfer) -> _Step:
    peer = db.get(Peer, transfer.peer_party)
    if peer is None:
        raise _Failed(f"{transfer.peer_party} is no longer a peer of this node")
    asked = wire.ChunkRequest(
        message_id=transfer.message_id,
        attachment_id=transfer.id,
        offset=transfer.received,
        length=min(wire.CHUNK_BYTES, transfer.size - transfer.received),
    )
    request_id = new_id()
    sealed = direct.seal(
        settings,
        wire.REQUEST,
        asked,
        keys.keypair(db, settings),
        peer,
        keys.public_of(recipient_key(db, peer)),
        request_id,
    )
    return _Step(f"{peer.base_url.rstrip('/')}{wire.PATH}", sealed, request_id)


def _post(context: JobContext, step: _Step) -> bytes:
    try:
        response = context.http.post(
            step.url,
            content=step.sealed,
            headers={"Content-Type": "application/json"},
            timeout=context.settings.federation_timeout_seconds,
        )
    except Exception as error:  # noqa: BLE001 - any transport failure is retried
        raise _Unreachable(f"the sending node is unreachable: {type(error).__name__}") from None
    if response.status_code == 404:
        raise _Failed("the sending node does not hold this attachment for this node (404)")
    if response.status_code != 200:
        detail = response.text[:300]
        with contextlib.suppress(ValueError, AttributeError):
            detail = str(response.json().get("detail", detail))
        raise _Unreachable(f"the sending node answered HTTP {response.status_code}: {detail}")
    return response.content


def _verified(
    db: Session, settings: Settings, transfer: AttachmentTransfer, step: _Step, raw: bytes
) -> bytes:
    """The range the answer carries, if it is the one asked for, intact."""
    peer = db.get_one(Peer, transfer.peer_party)
    try:
        sealed, cipher = wire.unframe(raw)
        answer = direct.open_reply(db, settings, peer, sealed, wire.ANSWER, wire.ChunkAnswer)
        if answer.request_id != step.request_id:
            raise _Refused("the answer is not for the range asked for")
        data = wire.decrypt(bytes(cipher), answer)
    except (InvalidEnvelope, ValueError, CryptoError) as error:
        raise _Refused(f"the range was refused: {error}") from None
    expected = min(wire.CHUNK_BYTES, transfer.size - transfer.received)
    if answer.size != transfer.size:
        raise _Failed(f"the sending node says {answer.size} bytes, the message {transfer.size}")
    if (answer.attachment_id, answer.offset, answer.length) != (
        transfer.id,
        transfer.received,
        expected,
    ):
        raise _Refused("the answer is not for the range asked for")
    if len(data) != expected or hashlib.sha256(data).hexdigest() != answer.sha256:
        raise _Refused("the range differs from its SHA-256")
    return data


def _apply(context: JobContext, transfer_id: str, step: _Step, raw: bytes) -> None:
    settings = context.settings
    with unit_of_work(context.sessions) as db:
        transfer = db.get_one(AttachmentTransfer, transfer_id, with_for_update=True)
        try:
            data = _verified(db, settings, transfer, step, raw)
        except _Refused as refused:
            _audit(db, transfer, "exchange.attachment.chunk_refused", True, reason=str(refused))
            raise
        if transfer.received == 0:
            _audit(db, transfer, "exchange.attachment.transfer_started", size=transfer.size)
        transfer.part_bytes = transfer_store.append(
            settings, transfer.id, transfer.part_bytes, transfer.received, data
        )
        transfer.received += len(data)
        transfer.attempts = 0
        transfer.last_error = None
        transfer.updated_at = clock.now()
        transfer.next_attempt_at = transfer.updated_at + timedelta(seconds=LEASE_SECONDS)


def _finish(context: JobContext, transfer_id: str) -> None:
    """Every byte is in: this node's checks, then the SHA-256, then the attachment."""
    settings = context.settings
    with unit_of_work(context.sessions) as db:
        transfer = db.get_one(AttachmentTransfer, transfer_id)
        try:
            blob = store_chunks(
                settings,
                transfer_store.read(settings, transfer.id, transfer.part_bytes),
                filename=transfer.filename,
                max_bytes=settings.exchange_max_attachment_bytes,
            )
        except BlobCorrupted:
            blob = None
            transfer.received = transfer.part_bytes = 0  # start again from the first byte
        except LiaisonError as refused:
            raise _Failed(f"this node refuses the content: {refused.detail}") from None
        if blob is not None and (blob.sha256, blob.size) != (transfer.sha256, transfer.size):
            delete_blob(settings, blob.blob_id)
            raise _Failed("the content's SHA-256 differs from the one the message names")
        if blob is not None:
            _visible(db, transfer, blob)
    transfer_store.discard(settings, transfer_id)
    if blob is None:
        raise _Retry("the partial file failed its check; pulling it again from the start")


def _visible(db: Session, transfer: AttachmentTransfer, blob: StoredBlob) -> None:
    db.add(
        Attachment(
            id=transfer.id,
            message_id=transfer.message_id,
            blob_id=blob.blob_id,
            sha256=blob.sha256,
            size=blob.size,
            mime=blob.mime,
            filename=blob.filename,
            tlp=transfer.tlp,
            handling_code=transfer.handling_code,
            uploaded_by=f"node:{transfer.peer_party}",
        )
    )
    _audit(db, transfer, "exchange.attachment.received", sha256=blob.sha256, size=blob.size)
    db.delete(transfer)


def _backoff(context: JobContext, transfer_id: str, error: _Retry) -> None:
    """Try again later; after ``MAX_ATTEMPTS`` refused ranges in a row, give up (a peer
    that is down is waited for: the message says so meanwhile)."""
    with unit_of_work(context.sessions) as db:
        transfer = db.get(AttachmentTransfer, transfer_id)
        if transfer is None:
            return
        transfer.attempts += 1
        transfer.last_error = str(error)[:2000]
        if transfer.attempts < MAX_ATTEMPTS or isinstance(error, _Unreachable):
            delay = min(
                context.settings.worker_max_backoff_seconds, 2.0 ** min(transfer.attempts, 20)
            )
            transfer.next_attempt_at = clock.now() + timedelta(seconds=delay)
            return
        transfer.status = "failed"
        _audit(db, transfer, "exchange.attachment.failed", reason=str(error)[:500])
    transfer_store.discard(context.settings, transfer_id)


def _fail(context: JobContext, transfer_id: str, error: str) -> None:
    with unit_of_work(context.sessions) as db:
        transfer = db.get(AttachmentTransfer, transfer_id)
        if transfer is None:
            return
        transfer.status = "failed"
        transfer.last_error = error[:2000]
        transfer.updated_at = clock.now()
        _audit(db, transfer, "exchange.attachment.failed", reason=error[:500])
    transfer_store.discard(context.settings, transfer_id)


def pull(context: JobContext, transfer_id: str) -> None:
    """Pull one transfer to its end (or to its next failure)."""
    try:
        while True:
            with unit_of_work(context.sessions) as db:
                transfer = db.get(AttachmentTransfer, transfer_id)
                if transfer is None or transfer.status != "arriving":
                    return
                step = None
                if transfer.received < transfer.size:
                    step = _next_step(db, context.settings, transfer)
            if step is None:
                _finish(context, transfer_id)
                return
            _apply(context, transfer_id, step, _post(context, step))
    except _Retry as error:
        _backoff(context, transfer_id, error)
    except _Failed as error:
        _fail(context, transfer_id, str(error))


def pull_job(context: JobContext) -> int:
    """The worker's pass: pull the transfers that are due; reports how many it took."""
    claimed = _claim(context)
    for transfer_id in claimed:
        pull(context, transfer_id)
    return len(claimed)
