"""Retention: per-party periods per category, legal holds, erasure with tombstones,
and the purge job. Domains declare what can be purged in their plug-in, one
``Purgeable`` per object type (``liaison.kit.plugin``); the functions here take the
registry's ``purge_rules``. The summary an ``erase`` returns is kept in the tombstone.
Audit entries themselves are never purged.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.kit import clock
from liaison.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_, Purgeable
from liaison.kit.roles import Caller, Role
from liaison.ledger.chain import canonical_json
from liaison.ledger.service import actor_of, trail
from liaison.models import LegalHold, RetentionPeriod, Tombstone

PURGE_BATCH = 500
SYSTEM = "system"


PurgeRules = Mapping[str, Purgeable]


def purgeable(rules: PurgeRules, object_type: str) -> Purgeable:
    found = rules.get(object_type)
    if found is None:
        known = ", ".join(sorted(rules)) or "none"
        raise ValidationFailed.on_field(
            "object_type",
            Text(
                N_("'%(object_type)s' has no retention rules here (known: %(known)s)"),
                object_type=object_type,
                known=known,
            ),
        )
    return found


def categories(rules: PurgeRules) -> list[str]:
    return sorted({p.retention_category for p in rules.values()})


def require_records_officer(caller: Caller) -> None:
    if caller.role not in (Role.ADMIN, Role.LEGAL_REVIEWER):
        raise Forbidden(N_("only an administrator or a legal reviewer manages retention"))


# periods -------------------------------------------------------------------
def set_period(
    db: Session, rules: PurgeRules, caller: Caller, party: str, category: str, days: int
) -> RetentionPeriod:
    require_records_officer(caller)
    known = categories(rules)
    if category not in known:
        raise ValidationFailed.on_field(
            "category",
            Text(
                N_("unknown category '%(category)s' (known: %(known)s)"),
                category=category,
                known=", ".join(known),
            ),
        )
    row = db.scalar(
        select(RetentionPeriod).where(
            RetentionPeriod.party_code == party, RetentionPeriod.category == category
        )
    )
    if row is None:
        row = RetentionPeriod(party_code=party, category=category)
        db.add(row)
    row.days = days
    row.updated_by = actor_of(caller)
    row.updated_at = clock.now()
    db.flush()
    trail(db, caller, "retention.period.set", "retention.period", f"{party}/{category}", days=days)
    return row


def periods(db: Session) -> list[RetentionPeriod]:
    return list(
        db.scalars(
            select(RetentionPeriod).order_by(RetentionPeriod.party_code, RetentionPeriod.category)
        )
    )


# holds ---------------------------------------------------------------------
def is_held(db: Session, object_type: str, object_id: str) -> bool:
    return (
        db.scalar(
            select(LegalHold.id).where(
                LegalHold.object_type == object_type,
                LegalHold.object_id == object_id,
                LegalHold.released_at.is_(None),
            )
        )
        is not None
    )


def place_hold(
    db: Session, rules: PurgeRules, caller: Caller, object_type: str, object_id: str, reason: str
) -> LegalHold:
    require_records_officer(caller)
    if purgeable(rules, object_type).origin(db, object_id) is None:
        raise NotFound(
            Text(
                N_("no %(object_type)s %(object_id)s here"),
                object_type=object_type,
                object_id=object_id,
            )
        )
    hold = LegalHold(
        object_type=object_type, object_id=object_id, reason=reason, placed_by=actor_of(caller)
    )
    db.add(hold)
    db.flush()
    trail(db, caller, "retention.hold.placed", object_type, object_id, hold=hold.id)
    return hold


def release_hold(db: Session, caller: Caller, hold_id: str) -> LegalHold:
    require_records_officer(caller)
    hold = db.get(LegalHold, hold_id)
    if hold is None:
        raise NotFound(Text(N_("no legal hold %(hold_id)s"), hold_id=hold_id))
    if hold.released_at is not None:
        raise Conflict(Text(N_("legal hold %(hold_id)s was already released"), hold_id=hold_id))
    hold.released_at = clock.now()
    hold.released_by = actor_of(caller)
    db.flush()
    trail(db, caller, "retention.hold.released", hold.object_type, hold.object_id, hold=hold.id)
    return hold


def holds(db: Session, *, active_only: bool = True) -> list[LegalHold]:
    query = select(LegalHold).order_by(LegalHold.placed_at.desc()).limit(500)
    if active_only:
        query = query.where(LegalHold.released_at.is_(None))
    return list(db.scalars(query))


# erasure -------------------------------------------------------------------
def tombstone_of(db: Session, object_type: str, object_id: str) -> Tombstone | None:
    return db.scalar(
        select(Tombstone).where(
            Tombstone.object_type == object_type, Tombstone.object_id == object_id
        )
    )


def erase(
    db: Session,
    rules: PurgeRules,
    who: Caller | str,
    object_type: str,
    object_id: str,
    *,
    reason: str,
    request_id: str | None = None,
) -> Tombstone:
    """Erase one object's content, keep a tombstone, audit it. Refuses under legal hold."""
    entry = purgeable(rules, object_type)
    existing = tombstone_of(db, object_type, object_id)
    if existing is not None:
        return existing
    origin = entry.origin(db, object_id)
    if origin is None:
        raise NotFound(
            Text(
                N_("no %(object_type)s %(object_id)s here"),
                object_type=object_type,
                object_id=object_id,
            )
        )
    if is_held(db, object_type, object_id):
        raise Conflict(
            Text(
                N_("%(object_type)s %(object_id)s is under legal hold and cannot be erased"),
                object_type=object_type,
                object_id=object_id,
            )
        )
    summary = entry.erase(db, object_id)
    tombstone = Tombstone(
        object_type=object_type,
        object_id=object_id,
        origin_party=origin,
        reason=reason,
        request_id=request_id,
        summary=canonical_json(summary),
        erased_at=clock.now(),
    )
    db.add(tombstone)
    db.flush()
    trail(db, who, "retention.erased", object_type, object_id, reason=reason, request=request_id)
    return tombstone


def purge(db: Session, rules: PurgeRules, now: datetime | None = None) -> list[Tombstone]:
    """The purge job: erase what outlived its party's period, except what is on hold."""
    now = now or clock.now()
    erased: list[Tombstone] = []
    rows = periods(db)
    for entry in rules.values():
        for period in rows:
            if period.category != entry.retention_category:
                continue
            cutoff = now - timedelta(days=period.days)
            for object_id in entry.expired(db, period.party_code, cutoff, PURGE_BATCH):
                if tombstone_of(db, entry.object_type, object_id) is not None:
                    continue
                if is_held(db, entry.object_type, object_id):
                    continue
                erased.append(
                    erase(db, rules, SYSTEM, entry.object_type, object_id, reason="retention")
                )
    return erased


def tombstones(db: Session, limit: int = 200) -> list[Tombstone]:
    return list(db.scalars(select(Tombstone).order_by(Tombstone.erased_at.desc()).limit(limit)))
