"""Retention of exchanged messages: category ``exchange.message``.

The clock starts at receipt (or creation, for this node's own messages); the period
is the originating party's. Erasure keeps the message's frame (ids, parties, agencies,
type, markings, legal basis, dates, outcome) so threads and deadlines still make
sense, and removes its content: subject, body, entities (and their deconfliction
index rows), reasons, clarification texts and attachments, and every copy of its
subject: in-app notifications about its case and the e-mails about it (queued or
sent) say "[content erased]" where they quoted it. Attachment rows go in the
transaction; their encrypted blob files are removed by ``sweep_blobs`` once no row
refers to them (a file can be removed only after the deletion is committed).
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.exchange.attachments import delete_blob
from liaison.kit.plugin import Purgeable
from liaison.models import (
    Attachment,
    AttachmentTransfer,
    Clarification,
    EmailOutbox,
    Message,
    MessageEntity,
    Notification,
    Tombstone,
)

OBJECT_TYPE = "exchange.message"
ERASED_SUBJECT = "[content erased]"
ORPHAN_GRACE_SECONDS = 3600.0  # an upload is written before its row is committed


def _origin(db: Session, message_id: str) -> str | None:
    return db.scalar(select(Message.originator_party).where(Message.id == message_id))


def _expired(db: Session, party: str, cutoff: datetime, limit: int) -> list[str]:
    erased = (
        select(Tombstone.id)
        .where(Tombstone.object_type == OBJECT_TYPE, Tombstone.object_id == Message.id)
        .exists()
    )
    started = func.coalesce(Message.received_at, Message.created_at)
    return list(
        db.scalars(
            select(Message.id)
            .where(Message.originator_party == party, started < cutoff, ~erased)
            .order_by(started)
            .limit(limit)
        )
    )


def _erase(db: Session, message_id: str) -> dict[str, Any]:
    message = db.get_one(Message, message_id)
    attachments = db.execute(delete(Attachment).where(Attachment.message_id == message_id))
    # one still arriving must not appear after the erasure (its partial file is swept)
    db.execute(delete(AttachmentTransfer).where(AttachmentTransfer.message_id == message_id))
    db.execute(delete(MessageEntity).where(MessageEntity.message_id == message_id))
    for clarification in db.scalars(
        select(Clarification).where(Clarification.message_id == message_id)
    ):
        clarification.question = ERASED_SUBJECT
        if clarification.answer is not None:
            clarification.answer = ERASED_SUBJECT
    summary = {
        "type": message.type,
        "from_party": message.from_party,
        "to_party": message.to_party,
        "tlp": message.tlp,
        "legal_basis": message.legal_basis,
        "created_at": message.created_at.isoformat(),
        "entities_erased": len(message.entities),
        "attachments_erased": attachments.rowcount,  # type: ignore[attr-defined]
    }
    _erase_copies(db, message)
    message.subject = ERASED_SUBJECT
    message.body = ""
    message.entities = []
    message.reason_text = ""
    message.search_text = ""
    db.flush()
    return summary


def _erase_copies(db: Session, message: Message) -> None:
    """Notifications and e-mails link to the message's case and quote its subject."""
    if not message.subject or message.subject == ERASED_SUBJECT:
        return
    link = f"/exchange/cases/{message.case_id}"
    quoted = message.subject
    db.execute(
        update(Notification)
        .where(Notification.link == link)
        .values(
            subject=func.replace(Notification.subject, quoted, ERASED_SUBJECT),
            body=func.replace(Notification.body, quoted, ERASED_SUBJECT),
        )
        .execution_options(synchronize_session=False)
    )
    db.execute(
        update(EmailOutbox)
        .where(EmailOutbox.body.contains(link, autoescape=True))
        .values(
            subject=func.replace(EmailOutbox.subject, quoted, ERASED_SUBJECT),
            body=func.replace(EmailOutbox.body, quoted, ERASED_SUBJECT),
        )
        .execution_options(synchronize_session=False)
    )


def sweep_blobs(db: Session, settings: Settings) -> int:
    """Remove blob files no attachment row refers to (after erasure or an abandoned
    upload), once they are older than the grace period. Returns how many went."""
    root = settings.data_dir / "blobs"
    cutoff = time.time() - ORPHAN_GRACE_SECONDS
    if not root.exists():
        return _sweep_partials(db, settings, cutoff)
    candidates = [p.name for p in root.glob("*/*") if p.is_file() and p.stat().st_mtime < cutoff]
    removed = 0
    for start in range(0, len(candidates), 500):
        chunk = candidates[start : start + 500]
        referenced = set(
            db.scalars(select(Attachment.blob_id).where(Attachment.blob_id.in_(chunk)))
        )
        for blob_id in chunk:
            if blob_id not in referenced:
                delete_blob(settings, blob_id)
                removed += 1
    return removed + _sweep_partials(db, settings, cutoff)


def _sweep_partials(db: Session, settings: Settings, cutoff: float) -> int:
    """Partial files of inbound transfers that no longer exist (erased, failed)."""
    root = settings.data_dir / "incoming"
    if not root.exists():
        return 0
    stale = {p.stem: p for p in root.glob("*.part") if p.stat().st_mtime < cutoff}
    if not stale:
        return 0
    alive = set(
        db.scalars(
            select(AttachmentTransfer.id).where(
                AttachmentTransfer.id.in_(list(stale)), AttachmentTransfer.status == "arriving"
            )
        )
    )
    for transfer_id, path in stale.items():
        if transfer_id not in alive:
            path.unlink(missing_ok=True)
    return len(stale) - len(alive)


PURGE_RULE = Purgeable(object_type=OBJECT_TYPE, expired=_expired, origin=_origin, erase=_erase)
