"""The answering side's blinded index: tags of this party's shareable identifiers.

Built from the exchange's entity index (``exchange_message_entities``) by a job that
catches up by row id, so a composed or received message is indexed within one job
period; a purged message's rows are tombstoned on the next pass. Entity rows are deleted
only by the retention purge, which leaves a ``Tombstone`` per erased message: the sweep
for tombstones (a scan of the live index) runs when their count has changed since this
process last swept, not every pass. Only identifiers this
party originated, outside TLP:RED, in a class its policy indexes
(``settings.hitcheck_indexed_categories``) get a tag. Each change bumps ``version``;
a peer's copy is brought up to date by the difference since the version it holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Row, bindparam, delete, exists, func, insert, select
from sqlalchemy.orm import Session, aliased

from liaison.config import Settings
from liaison.hitcheck import psi
from liaison.hitcheck.identifiers import person_keys, policy_class
from liaison.kit import clock
from liaison.models import HitcheckIndexEntry, HitcheckState, Message, MessageEntity, Tombstone

BATCH = 5000
REBUILD_BATCH = 50_000  # a rebuild reads more rows a pass: fewer passes, threads kept busy
LOOK_BACK = 200  # entity rows re-read each pass (concurrent commits)


_STATE = select(HitcheckState).where(HitcheckState.id == 1)
_STATE_LOCKED = _STATE.with_for_update()


def state(db: Session, *, lock: bool = False) -> HitcheckState:
    row = db.scalar(_STATE_LOCKED if lock else _STATE)
    if row is None:
        row = HitcheckState(id=1, epoch=1, version=0, cursor=0, updated_at=clock.now())
        db.add(row)
        db.flush()
    return row


def key_of(settings: Settings, epoch: int) -> bytes:
    return psi.derive_key(settings.secret_key, epoch)


def _keys(key: str) -> list[str]:
    return [key, *person_keys([key])]


# Built once (the job runs every few seconds and mostly finds nothing: building these
# statements cost more than running them).
_DONE = select(HitcheckIndexEntry.entity_row).where(
    HitcheckIndexEntry.epoch == bindparam("epoch"),
    HitcheckIndexEntry.entity_row > bindparam("since"),
)
_NEW_ROWS = (
    select(MessageEntity.id, MessageEntity.key, MessageEntity.message_id, Message.tlp)
    .join(Message, Message.id == MessageEntity.message_id)
    .where(MessageEntity.id > bindparam("since"), Message.originator_party == bindparam("party"))
    .order_by(MessageEntity.id)
    .limit(bindparam("limit"))
)
_LAST = select(func.max(MessageEntity.id)).where(MessageEntity.id > bindparam("cursor"))
_ERASURES = select(func.count()).select_from(Tombstone)


def catch_up(db: Session, settings: Settings, limit: int = BATCH) -> int:
    """Index new entity rows and tombstone purged ones; returns rows changed."""
    current = state(db, lock=True)
    # Ids are given at insert and committed in any order: look back a little, so a row
    # committed after a higher one was seen is not skipped, and skip rows already done.
    since = max(0, current.cursor - LOOK_BACK)
    done = set(db.scalars(_DONE, {"epoch": current.epoch, "since": since}))
    read = db.execute(
        _NEW_ROWS, {"since": since, "party": settings.party, "limit": limit + len(done)}
    ).all()
    rows = [row for row in read if row.id not in done][:limit]
    last = db.scalar(_LAST, {"cursor": current.cursor})
    changed = _add(db, settings, current, rows) + _tombstone_if_purged(db, current)
    if rows and len(rows) == limit:
        current.cursor = max(current.cursor, rows[-1].id)
    elif last is not None:
        current.cursor = last
    if changed:
        current.updated_at = clock.now()
    return changed


def _add(
    db: Session,
    settings: Settings,
    current: HitcheckState,
    rows: Sequence[Row[int, str, str, str]],
) -> int:
    indexed = set(settings.hitcheck_indexed_categories)
    pending: list[tuple[int, str, str, str]] = []
    for row_id, key, message_id, tlp in rows:
        category = policy_class(key)
        if tlp == "RED" or category not in indexed:
            continue
        pending += [(row_id, message_id, category, k) for k in _keys(key)]
    if not pending:
        return 0
    current.version += 1
    tags = psi.index_tags(
        key_of(settings, current.epoch), [p[3] for p in pending], workers=psi.cores()
    )
    rows_out = [
        {
            "epoch": current.epoch,
            "tag": tag,
            "category": category,
            "entity_row": row_id,
            "message_id": message_id,
            "added_in": current.version,
        }
        for (row_id, message_id, category, _), tag in zip(pending, tags, strict=True)
    ]
    db.execute(insert(HitcheckIndexEntry), rows_out)  # one executemany, no ORM objects
    return len(pending)


# erasure count seen at this process's last sweep, per database; none yet: sweep
_swept_at_erasures: dict[str, int] = {}


def _tombstone_if_purged(db: Session, current: HitcheckState) -> int:
    bind = db.get_bind()
    database = str(bind.engine.url)
    erasures = db.scalar(_ERASURES) or 0
    if _swept_at_erasures.get(database) == erasures:
        return 0
    changed = _tombstone(db, current)
    if changed < BATCH:  # a full batch may leave more: sweep again next pass
        _swept_at_erasures[database] = erasures
    return changed


def _tombstone(db: Session, current: HitcheckState) -> int:
    gone = (
        select(HitcheckIndexEntry)
        .where(
            HitcheckIndexEntry.epoch == current.epoch,
            HitcheckIndexEntry.removed_in.is_(None),
            ~exists().where(MessageEntity.id == HitcheckIndexEntry.entity_row),
        )
        .limit(BATCH)
    )
    rows = list(db.scalars(gone))
    if rows:
        current.version += 1
        for row in rows:
            row.removed_in = current.version
        db.flush()
    return len(rows)


def rebuild(db: Session, settings: Settings) -> int:
    """A new key epoch: every tag recomputed (peers' copies start again)."""
    current = state(db, lock=True)
    db.execute(delete(HitcheckIndexEntry).where(HitcheckIndexEntry.epoch == current.epoch))
    current.epoch += 1
    current.cursor = 0
    current.version = 0
    db.flush()
    total = 0
    while (done := catch_up(db, settings, REBUILD_BATCH)) or current.cursor < _max_row(db):
        total += done
    return total


def _max_row(db: Session) -> int:
    return db.scalar(select(func.max(MessageEntity.id))) or 0


@dataclass(frozen=True)
class Status:
    epoch: int
    version: int
    live: int
    tombstones: int
    pending: int
    categories: dict[str, int]


def status(db: Session) -> Status:
    current = state(db)
    live = HitcheckIndexEntry.removed_in.is_(None)
    this_epoch = HitcheckIndexEntry.epoch == current.epoch
    by_category = db.execute(
        select(HitcheckIndexEntry.category, func.count())
        .where(this_epoch, live)
        .group_by(HitcheckIndexEntry.category)
    ).all()
    tombstones = db.scalar(select(func.count()).where(this_epoch, ~live)) or 0
    pending = db.scalar(select(func.count()).where(MessageEntity.id > current.cursor)) or 0
    categories = {str(c): int(n) for c, n in by_category}
    return Status(
        epoch=current.epoch,
        version=current.version,
        live=sum(categories.values()),
        tombstones=int(tombstones),
        pending=int(pending),
        categories=categories,
    )


@dataclass(frozen=True)
class Delta:
    epoch: int
    version: int
    full: bool
    added: list[bytes]
    removed: list[bytes]
    size: int | None  # None: unchanged since the peer's copy


def delta(db: Session, current: HitcheckState, since_epoch: int, since_version: int) -> Delta:
    """What a peer's copy at (epoch, version) lacks: everything if the epoch changed,
    nothing (and no query) if the copy is current — the common case of a check."""
    if (since_epoch, since_version) == (current.epoch, current.version):
        return Delta(current.epoch, current.version, False, [], [], None)
    entry = HitcheckIndexEntry
    this_epoch = entry.epoch == current.epoch
    full = since_epoch != current.epoch or since_version > current.version
    base = 0 if full else since_version
    added = db.scalars(
        select(entry.tag)
        .where(this_epoch, entry.added_in > base, entry.removed_in.is_(None))
        .distinct()
    ).all()
    still_live = aliased(HitcheckIndexEntry)
    removed = (
        []
        if full
        else db.scalars(
            select(entry.tag)
            .where(this_epoch, entry.removed_in > base, entry.added_in <= base)
            .where(
                ~exists().where(
                    still_live.tag == entry.tag,
                    still_live.epoch == current.epoch,
                    still_live.removed_in.is_(None),
                )
            )
            .distinct()
        ).all()
    )
    size = db.scalar(select(func.count()).where(this_epoch, entry.removed_in.is_(None))) or 0
    return Delta(current.epoch, current.version, full, list(added), list(removed), int(size))
