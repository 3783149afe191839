"""Errors as RFC 9457 problem details (API) or an error page (web).

The API's ``detail`` and ``errors[].message`` are in the language negotiated from
``Accept-Language`` (English without it; ``Content-Language`` says which); ``type``,
``code`` and ``title`` stay English, stable for clients. The web's error page is in the
reader's language (its renderer gets the untranslated message)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from liaison.api.retry import mark_retryable
from liaison.kit.errors import (
    FieldError,
    LiaisonError,
    Message,
    PolicyBlocked,
    TooManyAttempts,
    summary,
)
from liaison.kit.i18n import DEFAULT, Text, best_match, localized
from liaison.kit.plugin import N_
from liaison.kit.validation import invalid_message

PROBLEM_MEDIA_TYPE = "application/problem+json"
log = logging.getLogger("liaison.api")


def problem(
    request: Request,
    status: int,
    code: str,
    title: str,
    detail: Message,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> Response:
    renderer = getattr(request.app.state, "web_error_renderer", None)
    if renderer is not None and not request.url.path.startswith(("/api/", "/healthz")):
        page: Response | None = renderer(request, status, title, detail)
        if page is not None:
            return page
    language = api_language(request)
    body: dict[str, Any] = {
        "type": f"https://liaison.dev/problems/{code}",
        "title": title,
        "status": status,
        "detail": localized(detail, language),
        "code": code,
        "instance": request.url.path,
    }
    if errors:
        body["errors"] = problem_errors(errors, language)
    if extensions:
        body.update(extensions)
    headers = (headers or {}) | {"Content-Language": language}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def api_language(request: Request) -> str:
    """The language of an API answer's messages: the client's ``Accept-Language``."""
    return best_match(request.headers.get("accept-language", "")) or DEFAULT


def problem_errors(errors: list[FieldError], language: str) -> list[dict[str, str]]:
    return [{"field": e.field, "message": localized(e.message, language)} for e in errors]


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


async def _liaison_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, LiaisonError)
    headers = None
    if isinstance(exc, TooManyAttempts):
        headers = {"Retry-After": str(exc.retry_after_seconds)}
    extensions: dict[str, Any] | None = None
    if isinstance(exc, PolicyBlocked):
        extensions = {"rules": [vars(rule) for rule in exc.rules]}
    return problem(
        request, exc.status, exc.code, exc.title, exc.detail, exc.errors, headers, extensions
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            detail = Text(
                N_("the request body is not valid JSON: %(error)s"),
                error=str(err.get("ctx", {}).get("error", "")),
            )
            return problem(request, 400, "malformed_json", N_("Malformed JSON"), detail)
        errors.append(FieldError(_field_name(err.get("loc", ())), invalid_message(err)))
    return problem(
        request, 422, "validation_failed", N_("Validation failed"), summary(errors), errors
    )


async def _database_unavailable(request: Request, exc: Exception) -> Response:
    """Locked (SQLite: another writer held on past the busy timeout) or unreachable
    (PostgreSQL down): the transaction was rolled back, nothing was saved; retry."""
    log.warning("database unavailable for %s %s: %s", request.method, request.url.path, exc)
    mark_retryable(request, exc)  # a lost deadlock: RetryTransient runs the request again
    detail = N_(
        "The node's database is busy or unavailable, so nothing was saved. "
        "Try again in a moment; if it persists, tell the node's operator."
    )
    return problem(
        request, 503, "database_unavailable", N_("Database busy"), detail,
        headers={"Retry-After": "2"},
    )  # fmt: skip


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    # Starlette's own phrases ("Not Found"), marked so the web's error page translates them
    words = {404: N_("Not Found"), 405: N_("Method Not Allowed")}.get(exc.status_code)
    title = words if words and words == exc.detail else str(exc.detail)
    return problem(request, exc.status_code, code, title, title)


def install(app: FastAPI) -> None:
    app.add_exception_handler(LiaisonError, _liaison_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(OperationalError, _database_unavailable)
