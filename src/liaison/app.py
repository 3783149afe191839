"""FastAPI application factory: routers, error handlers, limits, lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import liaison.audit.checkpoints  # registers audit's message types
import liaison.cyber.federation  # registers the cyber message types
import liaison.directory.retention  # registers the directory's purge rules
import liaison.exchange.federation  # registers the exchange's message types
import liaison.exchange.retention  # registers the exchange's purge rules
import liaison.exchange.stats  # gives the workplan dashboard its exchange figures
import liaison.federation.control  # registers federation's message types
import liaison.retention.deletion  # registers retention's message types
import liaison.workplan.federation  # noqa: F401  (registers the workplan's message types)
from liaison import __version__, worker
from liaison.api import health, problems
from liaison.api.idempotency import IdempotencyKeys
from liaison.api.limits import BodySizeLimit
from liaison.api.retry import RetryTransient
from liaison.audit.endpoints import router as audit_router
from liaison.config import Settings, load_settings
from liaison.cyber.taxii import router as taxii_router
from liaison.directory.endpoints import router as directory_router
from liaison.exchange.endpoints import router as exchange_router
from liaison.federation.endpoints import router as federation_router
from liaison.kit.db import make_engine, make_session_factory
from liaison.policy.endpoints import router as policy_router
from liaison.retention.endpoints import router as retention_router
from liaison.users.endpoints import router as users_router
from liaison.web import setup as web_setup
from liaison.web.views import cyber as cyber_pages
from liaison.web.views import cyber_incidents, exchange_compose, notifications
from liaison.web.views import exchange as exchange_pages
from liaison.web.views import policy as policy_pages
from liaison.web.views import policy_reviews as policy_review_pages
from liaison.web.views.audit import router as audit_pages
from liaison.web.views.retention import router as retention_pages
from liaison.web.views.workplan import router as workplan_web_router
from liaison.workplan.endpoints import router as workplan_router


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
    app.include_router(exchange_router)
    app.include_router(audit_router)
    app.include_router(policy_router)
    app.include_router(policy_pages.router)
    app.include_router(policy_review_pages.router)
    app.include_router(retention_router)
    app.include_router(audit_pages)
    app.include_router(retention_pages)
    app.include_router(workplan_router)
    app.include_router(taxii_router)
    app.include_router(cyber_pages.router)
    app.include_router(cyber_incidents.router)
    web_setup.install(app)
    app.include_router(workplan_web_router)
    app.include_router(exchange_compose.router)
    app.include_router(exchange_pages.router)
    app.include_router(notifications.router)
    app.add_middleware(IdempotencyKeys)  # inside RetryTransient: each attempt afresh
    app.add_middleware(RetryTransient)  # re-runs a request that lost a deadlock
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_request_bytes,
        overrides={
            "/federation/": settings.federation_max_envelope_bytes,
            # multipart overhead; the store itself refuses files over the limit
            "/api/v1/exchange/attachments": 2 * settings.exchange_max_attachment_bytes,
            "/exchange/compose": 2 * settings.exchange_max_attachment_bytes,
            # the TAXII server answers oversized envelopes itself, as TAXII errors
            "/taxii2/": 2 * settings.taxii_max_content_length,
        },
    )
    return app


def app_from_environment() -> FastAPI:
    """Entry point for ``uvicorn --factory liaison.app:app_from_environment``."""
    return create_app()
