"""FastAPI application factory: routers, error handlers, limits, lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import liaison.cyber.federation
import liaison.federation.control  # noqa: F401  (registers federation's message types)
from liaison import __version__, worker
from liaison.api import health, problems
from liaison.api.limits import BodySizeLimit
from liaison.config import Settings, load_settings
from liaison.cyber.taxii import router as taxii_router
from liaison.directory.endpoints import router as directory_router
from liaison.federation.endpoints import router as federation_router
from liaison.kit.db import make_engine, make_session_factory
from liaison.users.endpoints import router as users_router
from liaison.web import setup as web_setup
from liaison.web.views import cyber as cyber_pages
from liaison.web.views import cyber_incidents


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    session_factory: sessionmaker[Session] | None = None,
    start_worker: bool = False,
) -> FastAPI:
    settings = settings or load_settings()
    engine = engine or make_engine(settings.effective_database_url)
    owns_engine = session_factory is None
    factory = session_factory or make_session_factory(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = worker.start_thread(factory, settings) if start_worker else None
        yield
        if stop is not None:
            stop.set()
        if owns_engine:
            engine.dispose()

    app = FastAPI(
        title=f"Liaison node {settings.party}",
        version=__version__,
        openapi_url="/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = factory
    problems.install(app)
    app.include_router(health.router)
    app.include_router(directory_router)
    app.include_router(users_router)
    app.include_router(federation_router)
    app.include_router(taxii_router)
    app.include_router(cyber_pages.router)
    app.include_router(cyber_incidents.router)
    web_setup.install(app)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_request_bytes,
        overrides={
            "/federation/": settings.federation_max_envelope_bytes,
            # the TAXII server answers oversized envelopes itself, as TAXII errors
            "/taxii2/": 2 * settings.taxii_max_content_length,
        },
    )
    return app


def app_from_environment() -> FastAPI:
    """Entry point for ``uvicorn --factory liaison.app:app_from_environment``."""
    return create_app()
