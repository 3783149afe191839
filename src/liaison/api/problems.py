"""Errors as RFC 9457 problem details (API) or an error page (web)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from liaison.api.retry import mark_retryable
from liaison.kit.errors import LiaisonError, PolicyBlocked, TooManyAttempts

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("liaison.api")


def problem(
    request: Request,
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": f"https://liaison.dev/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = errors
    if extensions:
        body.update(extensions)
    renderer = getattr(request.app.state, "web_error_renderer", None)
    if renderer is not None and not request.url.path.startswith(("/api/", "/healthz")):
        page: Response | None = renderer(request, status, title, detail)
        if page is not None:
            return page
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


async def _liaison_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LiaisonError)
    headers = None
    if isinstance(exc, TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after_seconds)}
    errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    extensions: dict[str, Any] | None = None
    if isinstance(exc, PolicyBlocked):
        extensions = {"rules": [vars(rule) for rule in exc.rules]}
    return problem(
        request, exc.status, exc.code, exc.title, exc.detail, errors, headers, extensions
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            detail = f"the request body is not valid JSON: {err.get('ctx', {}).get('error', '')}"
            return problem(request, 400, "malformed_json", "Malformed JSON", detail.strip())
        errors.append({"field": _field_name(err.get("loc", ())), "message": str(err["msg"])})
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return problem(request, 422, "validation_failed", "Validation failed", summary, errors)


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    """Locked (SQLite: another writer held on past the busy timeout) or unreachable
    (PostgreSQL down): the transaction was rolled back, nothing was saved; retry."""
    log.warning("database unavailable for %s %s: %s", request.method, request.url.path, exc)
    mark_retryable(request, exc)  # a lost deadlock: RetryTransient runs the request again
    detail = (
        "The node's database is busy or unavailable, so nothing was saved. "
        "Try again in a moment; if it persists, tell the node's operator."
    )
    return problem(
        request, 503, "database_unavailable", "Database busy", detail,
        headers={"Retry-After": "2"},
    )  # fmt: skip


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return problem(request, exc.status_code, code, str(exc.detail), str(exc.detail))


def install(app: FastAPI) -> None:
    app.add_exception_handler(LiaisonError, _liaison_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
