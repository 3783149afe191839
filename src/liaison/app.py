"""FastAPI application factory: built from the domains' plug-ins, nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from liaison import __version__, domains, worker
from liaison.api import docs as api_docs
from liaison.api import health, problems
from liaison.api.headers import SecurityHeaders
from liaison.api.idempotency import IdempotencyKeys
from liaison.api.limits import BodySizeLimit
from liaison.api.proxies import TrustedProxies
from liaison.api.retry import RetryTransient
from liaison.config import Settings, load_settings
from liaison.kit import files
from liaison.kit.db import make_engine, make_session_factory
from liaison.kit.inputs import refuse_control_characters_in_query
from liaison.kit.plugin import Registry
from liaison.web import setup as web_setup


def create_app(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    session_factory: sessionmaker[Session] | None = None,
    start_worker: bool = False,
    registry: Registry | None = None,
) -> FastAPI:
    settings = settings or load_settings()
    registry = registry or domains.registry()
    files.warn_if_exposed(settings)  # start-up check: data files 0600, directories 0700
    engine = engine or make_engine(settings.effective_database_url)
    owns_engine = session_factory is None
    factory = session_factory or make_session_factory(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop = worker.start_thread(factory, settings, registry) if start_worker else None
        yield
        if stop is not None:
            stop.set()
        if owns_engine:
            engine.dispose()

    app = FastAPI(
        dependencies=[Depends(refuse_control_characters_in_query)],
        title=f"Liaison node {settings.party}",
        version=__version__,
        openapi_url="/openapi.json",
        docs_url=None,  # api.docs serves Swagger UI from static/, under the CSP
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = factory
    app.state.registry = registry
    problems.install(app)
    app.include_router(health.router)
    app.include_router(api_docs.router)
    for plugin in registry.plugins:
        for router in plugin.api_routers:
            app.include_router(router.target)
    web_setup.install(app)
    for plugin in registry.plugins:
        for router in plugin.web_routers:
            app.include_router(router.target)
    app.add_middleware(IdempotencyKeys)  # inside RetryTransient: each attempt afresh
    app.add_middleware(RetryTransient)  # re-runs a request that lost a deadlock
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_request_bytes,
        overrides={
            "/federation/v1/inbox/batch": settings.federation_max_batch_bytes,
            "/federation/": settings.federation_max_envelope_bytes,
            # multipart overhead; the store itself refuses files over the limit
            "/api/v1/exchange/attachments": 2 * settings.exchange_max_attachment_bytes,
            "/exchange/compose": 2 * settings.exchange_max_attachment_bytes,
            # the TAXII server answers oversized envelopes itself, as TAXII errors
            "/taxii2/": 2 * settings.taxii_max_content_length,
        },
        streamed=("/federation/",),  # the inbox streams and size-checks per envelope
    )
    app.add_middleware(SecurityHeaders, hsts=settings.cookie_secure)
    app.add_middleware(TrustedProxies, trusted=settings.trusted_proxies)  # outermost
    return app


def app_from_environment() -> FastAPI:
    """Entry point for ``uvicorn --factory liaison.app:app_from_environment``."""
    return create_app()
