"""What every command needs: settings, a transaction, the console operator, the registry."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from liaison.config import Settings, load_settings
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.kit.plugin import Registry
from liaison.kit.roles import Caller, Role

console = Console()
err_console = Console(stderr=True)


def registry(context: typer.Context) -> Registry:
    """The registry the ``liaison`` command was built from (its root puts it in ``obj``)."""
    found = context.find_root().obj
    if not isinstance(found, Registry):
        raise TypeError("the liaison command was not built by liaison.cli.main.build_cli")
    return found


def settings() -> Settings:
    return load_settings()


def operator(settings: Settings) -> Caller:
    """Whoever holds a shell on the node acts as its administrator."""
    return Caller(
        user_id="console-operator",
        username="operator",
        display_name="Node operator (console)",
        role=Role.ADMIN,
        agency_id="",
        party_code=settings.party,
    )


@contextmanager
def transaction(settings: Settings) -> Iterator[Session]:
    engine = make_engine(settings.effective_database_url)
    try:
        with unit_of_work(make_session_factory(engine)) as db:
            yield db
    finally:
        engine.dispose()
