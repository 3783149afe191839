"""Run Alembic migrations from code (``liaison migrate``, startup, tests)."""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

import liaison


def migrations_dir() -> Path:
    """Packaged copy in a wheel, else the repository's ``migrations/``."""
    packaged = Path(liaison.__file__).parent / "_migrations"
    if packaged.is_dir():
        return packaged
    return Path(liaison.__file__).resolve().parents[2] / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    return config


def upgrade(engine: Engine) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@functools.cache
def head_revision() -> str | None:
    """The newest migration this code ships. Read once: parsing the scripts cost ~20 ms of
    CPU, and ``/healthz`` (load balancers, the peers' delivery probe) asks every time."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_and_head(engine: Engine) -> tuple[str | None, str | None]:
    head = head_revision()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return current, head
