"""Shipped packs on init and upgrade; the engine follows activation within a transaction."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from liaison.kit.db import unit_of_work
from liaison.models.policy import PolicyPack
from liaison.policy import service, store
from liaison.policy.packs import shipped_sources
from liaison.policy.schemas import Effect
from tests.policy.helpers import subject

OLD = shipped_sources()["ca.toml"].replace('version = "2026.12.1"', 'version = "2026.01.0"')
RED = (
    OLD.replace('version = "2026.01.0"', 'version = "2026.09.0"')
    + """
[[rule]]
id = "ca.store.no_red"
description = "TLP:RED stays home"
citation = "Test directive 3"
explanation = "No."
effect = "block"
when = '''context.tlp == "RED"'''
"""
)


def active_versions(db: Session) -> dict[str, str]:
    rows = db.scalars(select(PolicyPack).where(PolicyPack.active.is_(True)))
    return {row.pack: row.version for row in rows}


def test_a_newer_shipped_version_replaces_an_older_shipped_one(
    seeded: sessionmaker[Session],
) -> None:
    with unit_of_work(seeded) as db:
        old = store.load_pack(db, OLD, actor=store.SYSTEM)
        store.activate(db, old.id, actor=store.SYSTEM)
        assert active_versions(db)["CA"] == "2026.01.0"
        store.ensure_shipped_packs(db)
        assert active_versions(db) == {"CA": "2026.12.1", "IN": "2026.12.1", "CA-IN": "2026.12.2"}


def test_a_version_an_admin_loaded_stays_active_and_decides_at_once(
    seeded: sessionmaker[Session],
) -> None:
    red = subject(tlp="RED")
    with unit_of_work(seeded) as db:
        assert service.evaluate(db, red).effect is not Effect.BLOCK
        row = store.load_pack(db, RED, actor="user:ca-admin")
        store.activate(db, row.id, actor="user:ca-admin")
        assert service.evaluate(db, red).effect is Effect.BLOCK  # same transaction
        store.ensure_shipped_packs(db)
        assert active_versions(db)["CA"] == "2026.09.0"
    with unit_of_work(seeded) as db:
        expected = ["ca.store.no_red", "joint.police_to_police.intelligence_only"]
        assert service.evaluate(db, red).rule_ids == expected
