"""The answering side's human step (Prüm II): after a hit, the peer's follow-up request
names the identifier; an officer here looks up which of this node's records carry it,
and confirms (or rejects) the match before any core data is shared. Audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.exchange.repository import ExchangeRepository
from liaison.hitcheck import index, psi
from liaison.hitcheck.identifiers import Identifier, keys_of
from liaison.hitcheck.schemas import ConfirmIn, MatchOut
from liaison.kit import clock
from liaison.kit.errors import Forbidden, NotFound
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller, Role
from liaison.ledger.service import trail
from liaison.models import HitcheckConfirmation, HitcheckIndexEntry, Message

CONFIRMERS = frozenset({Role.ADMIN, Role.LIAISON_OFFICER})


def matches(db: Session, caller: Caller, settings: Settings, item: Identifier) -> list[MatchOut]:
    """This node's records (visible to the caller) whose index tags match ``item``."""
    if caller.role not in CONFIRMERS:
        raise Forbidden(N_("confirming a match is for liaison officers"))
    current = index.state(db)
    tags = psi.index_tags(index.key_of(settings, current.epoch), keys_of(item))
    entry = HitcheckIndexEntry
    found = db.execute(
        select(entry.message_id, entry.category).where(
            entry.epoch == current.epoch, entry.removed_in.is_(None), entry.tag.in_(tags)
        )
    ).all()
    category = {message_id: cat for message_id, cat in found}
    if not category:
        return []
    visible = ExchangeRepository(db, caller).messages_query().where(Message.id.in_(category))
    return [
        MatchOut(message_id=m.id, case_id=m.case_id, subject=m.subject, category=category[m.id])
        for m in db.scalars(visible.order_by(Message.id))
    ]


def confirm(
    db: Session, caller: Caller, settings: Settings, data: ConfirmIn
) -> HitcheckConfirmation:
    found = {m.message_id for m in matches(db, caller, settings, data.identifier)}
    if data.message_id not in found:
        raise NotFound(N_("that record does not carry this identifier (or is not yours to see)"))
    row = HitcheckConfirmation(
        message_id=data.message_id,
        request_id=data.request_id,
        confirmed=data.confirmed,
        note=data.note,
        decided_by=caller.username,
        decided_at=clock.now(),
    )
    db.add(row)
    db.flush()
    trail(
        db,
        caller,
        "hitcheck.match.confirmed" if data.confirmed else "hitcheck.match.rejected",
        "exchange.message",
        data.message_id,
        request_id=data.request_id,
        confirmation_id=row.id,
    )
    return row
