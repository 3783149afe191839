"""Alembic environment: the same migrations build SQLite and PostgreSQL schemas."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import liaison.models  # noqa: F401  (registers every table on Base.metadata)
from liaison.kit.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; use 'liaison migrate'")
run_migrations_online()
