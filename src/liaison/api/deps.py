"""Request dependencies: settings, the one transaction per request, the registry.

Who the caller is: ``liaison.users.deps``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from liaison.api import idempotency
from liaison.config import Settings
from liaison.kit.db import unit_of_work
from liaison.kit.plugin import Registry


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    """The request's transaction: committed when the handler returns, else rolled back.

    A request with an Idempotency-Key hands its transaction to the idempotency
    middleware instead, which commits it together with the stored response.
    """
    held = idempotency.pending(request)
    if held is None:
        with unit_of_work(request.app.state.session_factory) as session:
            yield session
        return
    session = request.app.state.session_factory()
    try:
        yield session
    except BaseException:
        session.rollback()
        session.close()
        raise
    held.session = session


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_registry(request: Request) -> Registry:
    """What the node's domains contribute (``liaison.domains``), as the app was built."""
    registry: Registry = request.app.state.registry
    return registry


RegistryDep = Annotated[Registry, Depends(get_registry)]
# scope="function": commit before the response goes out, so a client that follows a
# redirect (or reads its own write) finds the change, and a failed commit is an error
# response rather than a success already sent.
DbDep = Annotated[Session, Depends(get_db, scope="function")]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"
