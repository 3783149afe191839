"""Stored rule packs: versions, activation, and the engine compiled from the active ones.

Every loaded version is kept (``policy_packs``); one version per pack name is
active. A pack name with no stored active version uses the version shipped with
Liaison, so a node is never without its rules. Loading validates the pack on its
own; activating validates it together with the other active packs (duplicate ids,
conflicts across packs) and is refused, naming the rule, with the previous version
still active.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from liaison.kit import clock
from liaison.kit.errors import Conflict, NotFound
from liaison.kit.i18n import Text, as_text
from liaison.kit.plugin import N_
from liaison.ledger.service import record
from liaison.models.policy import PolicyPack
from liaison.policy.engine import Engine
from liaison.policy.packs import PackRefused, PackSpec, parse_pack, shipped_packs, shipped_sources

_ENGINES: dict[tuple[str, ...], Engine] = {}
_MAX_CACHED = 16
_SESSION_KEY = "liaison.policy.engine"


def _sha(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()


def _engine_for(key: tuple[str, ...], packs: Sequence[PackSpec]) -> Engine:
    engine = _ENGINES.get(key)
    if engine is None:
        if len(_ENGINES) >= _MAX_CACHED:
            _ENGINES.clear()
        engine = _ENGINES[key] = Engine(tuple(packs))
    return engine


def _parse_stored(row: PolicyPack) -> PackSpec:
    return parse_pack(row.source)


def active_engine(db: Session) -> Engine:
    """The engine for the active packs (stored, else shipped per pack name); cached.

    Looked up once per transaction: within one transaction every decision uses the
    same pack set (activating a pack in it starts afresh).
    """
    transaction = db.get_transaction()
    remembered = db.info.get(_SESSION_KEY)
    if remembered is not None and transaction is not None and remembered[0] is transaction:
        engine: Engine = remembered[1]
        return engine
    engine = _lookup_engine(db)
    db.info[_SESSION_KEY] = (db.get_transaction(), engine)
    return engine


def _lookup_engine(db: Session) -> Engine:
    rows = db.execute(
        select(PolicyPack.pack, PolicyPack.sha256).where(PolicyPack.active.is_(True))
    ).all()
    stored = {pack: sha for pack, sha in rows}
    shipped = {p.pack: p for p in shipped_packs()}
    key = tuple(sorted(f"{name}:{stored.get(name, 'shipped')}" for name in stored | shipped))
    engine = _ENGINES.get(key)
    if engine is not None:
        return engine
    packs = [p for name, p in shipped.items() if name not in stored]
    if stored:
        sources = db.scalars(select(PolicyPack).where(PolicyPack.active.is_(True))).all()
        packs += [_parse_stored(row) for row in sources]
    return _engine_for(key, packs)


def list_packs(db: Session) -> list[PolicyPack]:
    return list(db.scalars(select(PolicyPack).order_by(PolicyPack.pack, PolicyPack.loaded_at)))


def get_pack(db: Session, pack_id: str) -> PolicyPack:
    row = db.get(PolicyPack, pack_id)
    if row is None:
        raise NotFound(Text(N_("no rule pack version %(pack_id)s"), pack_id=pack_id))
    return row


def load_pack(db: Session, source: str, *, actor: str) -> PolicyPack:
    """Validate and store a pack version (inactive). The same text twice is a no-op."""
    spec = parse_pack(source)
    sha = _sha(source)
    existing = db.scalar(
        select(PolicyPack).where(PolicyPack.pack == spec.pack, PolicyPack.version == spec.version)
    )
    if existing is not None:
        if existing.sha256 == sha:
            return existing
        raise Conflict.on_field(
            "version",
            Text(
                N_(
                    "pack %(pack)s version %(version)s is already stored with "
                    "other rules; give the new rules a new version"
                ),
                pack=spec.pack,
                version=spec.version,
            ),
        )
    row = PolicyPack(
        pack=spec.pack,
        version=spec.version,
        title=spec.title,
        source=source,
        sha256=sha,
        rule_count=len(spec.rules),
        active=False,
        loaded_by=actor,
    )
    db.add(row)
    db.flush()
    record(
        db,
        actor=actor,
        action="policy.pack.load",
        object_type="policy.pack",
        object_id=row.id,
        detail={"pack": spec.pack, "version": spec.version, "sha256": sha},
    )
    return row


def activate(db: Session, pack_id: str, *, actor: str) -> PolicyPack:
    """Make a stored version the active one for its pack name, if it fits with the others."""
    row = get_pack(db, pack_id)
    spec = _parse_stored(row)
    others = active_engine(db).packs
    candidate = [p for p in others if p.pack != spec.pack] + [spec]
    try:
        Engine(tuple(candidate))
    except PackRefused as exc:
        raise PackRefused(
            Text(
                N_("%(detail)s (pack %(pack)s %(version)s not activated)"),
                detail=as_text(exc.detail),
                pack=spec.pack,
                version=spec.version,
            )
        ) from exc
    db.info.pop(_SESSION_KEY, None)
    db.execute(
        update(PolicyPack)
        .where(PolicyPack.pack == row.pack, PolicyPack.id != row.id)
        .values(active=False)
    )
    row.active = True
    row.activated_by = actor
    row.activated_at = clock.now()
    db.flush()
    record(
        db,
        actor=actor,
        action="policy.pack.activate",
        object_type="policy.pack",
        object_id=row.id,
        detail={"pack": row.pack, "version": row.version, "sha256": row.sha256},
    )
    return row


SYSTEM = "system"


def ensure_shipped_packs(db: Session) -> list[PolicyPack]:
    """Store and activate the shipped packs (on init and seed).

    A pack name with no active version gets the shipped one. A newer shipped version
    replaces an active version that was itself shipped (loaded by "system"); a version
    an administrator loaded stays active until an administrator changes it.
    """
    rows = db.scalars(select(PolicyPack).where(PolicyPack.active.is_(True)))
    active = {row.pack: row for row in rows}
    done = []
    for source in shipped_sources().values():
        spec = parse_pack(source)
        current = active.get(spec.pack)
        if current is not None and (current.loaded_by != SYSTEM or current.version == spec.version):
            continue
        row = load_pack(db, source, actor=SYSTEM)
        done.append(activate(db, row.id, actor=SYSTEM))
    return done


def seed_packs(db: Session, _party_code: str) -> dict[str, int]:
    """The demo seed step: the shipped rule packs (``liaison init`` installs them too)."""
    return {"policy packs": len(ensure_shipped_packs(db))}
