"""Bringing a node's storage into being: data dir, secret key, schema, own party."""

from __future__ import annotations

import pycountry
from sqlalchemy import Engine

from liaison.config import Settings
from liaison.directory.service import ensure_party
from liaison.federation.keys import ensure_node_key
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.kit.errors import ConfigurationError
from liaison.kit.migrate import upgrade
from liaison.policy.store import ensure_shipped_packs


def initialise(settings: Settings, engine: Engine | None = None) -> None:
    """Idempotent: safe to run on every start."""
    country = pycountry.countries.get(alpha_2=settings.party)
    if country is None:
        raise ConfigurationError(f"LIAISON_PARTY={settings.party} is not an ISO 3166-1 code")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    settings.ensure_secret_key()
    owned = engine is None
    engine = engine or make_engine(settings.effective_database_url)
    try:
        upgrade(engine)
        with unit_of_work(make_session_factory(engine)) as db:
            ensure_party(db, settings.party, country.name)
            ensure_node_key(db, settings)
            ensure_shipped_packs(db)
    finally:
        if owned:
            engine.dispose()
