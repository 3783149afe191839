"""Run every check of ``liaison doctor`` against a node's settings, in a fixed order."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from liaison.config import Settings
from liaison.doctor import checks
from liaison.doctor.checks import Finding, Level
from liaison.kit.db import make_engine, make_session_factory
from liaison.models import Peer


def _database(settings: Settings, timeout: float) -> Iterator[Finding]:
    engine = make_engine(settings.effective_database_url)
    try:
        migrations = list(checks.migrations(engine))
        yield from migrations
        if any(f.check == "database" for f in migrations):
            return
        with (
            make_session_factory(engine)() as db,
            httpx.Client(timeout=timeout, verify=settings.http_verify) as client,
        ):
            try:
                yield from checks.own_keys(db, settings)
                peers = list(db.scalars(select(Peer).order_by(Peer.party_code)))
            except SQLAlchemyError as exc:
                yield Finding(
                    Level.FAULT,
                    "database",
                    f"could not read keys and peers: {type(exc).__name__}",
                    "run 'liaison migrate', then 'liaison doctor' again",
                )
                return
            if not peers:
                yield Finding(
                    Level.WARNING,
                    "peers",
                    "no peer is pinned: nothing can be exchanged",
                    "'liaison directory add-party XX', then 'liaison peer add' "
                    "(docs/operations.md, 'Peering')",
                )
            for peer in peers:
                yield from checks.peer(db, settings, peer, client)
                yield from checks.resync(db, peer)
    finally:
        engine.dispose()


def diagnose(settings: Settings, timeout: float = 5.0) -> list[Finding]:
    """Every finding about this node: files, secret, database, keys, peers, disk, mail."""
    found = list(checks.files_and_secret(settings))
    if settings.data_dir.is_dir() or settings.database_url:
        found += _database(settings, timeout)
    found += checks.disk(settings)
    found += checks.smtp(settings)
    return found
