"""TAXII 2.1 plumbing: media types, error messages, authentication, paging tokens.

Every error under /taxii2/ is a TAXII error message (title, description, http_status,
error_code) in ``application/taxii+json;version=2.1``, including authentication errors,
406/415 media-type errors and bad ``next`` tokens.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from liaison.api.deps import DbDep, SettingsDep, client_ip
from liaison.config import Settings
from liaison.cyber.basic_cache import CREDENTIALS
from liaison.cyber.store import format_timestamp
from liaison.cyber.validate import StixInvalid, parse_timestamp
from liaison.kit.db import unit_of_work
from liaison.kit.errors import LiaisonError, NotAuthenticated, TooManyAttempts
from liaison.kit.inputs import check_text
from liaison.kit.roles import Caller
from liaison.users import auth

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"


class TaxiiError(LiaisonError):
    """An error with a chosen HTTP status (406, 415, ...)."""

    def __init__(self, status: int, title: str, detail: str, code: str) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.code = code


def taxii_response(
    body: dict[str, Any] | bytes, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    if isinstance(body, bytes):
        return Response(body, status_code=status, media_type=TAXII_MEDIA_TYPE, headers=headers)
    return JSONResponse(body, status_code=status, media_type=TAXII_MEDIA_TYPE, headers=headers)


def error_response(
    status: int, title: str, description: str, code: str, headers: dict[str, str] | None = None
) -> Response:
    body = {
        "title": title,
        "description": description,
        "http_status": str(status),
        "error_code": code,
    }
    return taxii_response(body, status, headers)


def _render(exc: Exception) -> Response:
    if isinstance(exc, LiaisonError):
        headers = None
        if isinstance(exc, TooManyAttempts):
            headers = {"Retry-After": str(exc.retry_after_seconds)}
        elif isinstance(exc, NotAuthenticated):
            headers = {"WWW-Authenticate": 'Basic realm="TAXII", charset="UTF-8"'}
        return error_response(exc.status, exc.title, str(exc), exc.code, headers)
    if isinstance(exc, RequestValidationError):
        parts = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body"))
            parts.append(f"{loc}: {err.get('msg')}")
        return error_response(400, "Bad request", "; ".join(parts), "bad_request")
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail), str(exc.detail), "http_error")


class TaxiiRoute(APIRoute):
    """Renders every error of a TAXII endpoint as a TAXII error message."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def taxii_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except (LiaisonError, RequestValidationError, HTTPException) as exc:
                return _render(exc)

        return taxii_handler


# media types --------------------------------------------------------------------------
def _media_ok(value: str, allow_any: bool) -> bool:
    for part in value.split(","):
        media, *params = (p.strip().lower() for p in part.split(";"))
        if allow_any and media in ("*/*", "application/*"):
            return True
        if media == "application/taxii+json":
            versions = [p.partition("=")[2] for p in params if p.startswith("version")]
            if not versions or "2.1" in versions:
                return True
    return False


def check_accept(request: Request) -> None:
    accept = request.headers.get("accept")
    if accept and not _media_ok(accept, allow_any=True):
        raise TaxiiError(
            406,
            "Not acceptable",
            f"this server serves {TAXII_MEDIA_TYPE}, not '{accept[:100]}'",
            "not_acceptable",
        )


def check_content_type(request: Request) -> None:
    content_type = request.headers.get("content-type", "")
    if not _media_ok(content_type, allow_any=False):
        raise TaxiiError(
            415,
            "Unsupported media type",
            f"send {TAXII_MEDIA_TYPE}, not '{content_type[:100]}'",
            "unsupported_media_type",
        )


# authentication -----------------------------------------------------------------------
def _basic(request: Request, db: Session, settings: Settings, credentials: str) -> Caller:
    try:
        decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise NotAuthenticated("the Basic credentials are not base64 'username:password'") from exc
    username, sep, password = decoded.partition(":")
    if not sep:
        raise NotAuthenticated("the Basic credentials are not 'username:password'")
    ip = client_ip(request)
    # A client paging with the credential it was verified with moments ago: the
    # request's own transaction, lockout checked, no Argon2 and nothing written — the
    # same work as a Bearer token.
    caller = auth.remembered_caller(db, settings, username, password, ip, CREDENTIALS.remembered)
    if caller is not None:
        return caller
    # Its own transaction: a failed attempt (or a throttle, a lock) is recorded even
    # though the request fails (and rolls its own back). The request's has only read
    # so far: ended first, so that the attempt's is never nested inside it (sessions
    # sharing one connection, as in the tests, would lose the attempt with it).
    db.rollback()
    with unit_of_work(request.app.state.session_factory) as own:
        user = auth.check_password(own, settings, username, password, ip)
        caller = auth.caller_for(own, user) if user is not None and user.is_active else None
        if caller is not None and user is not None:
            CREDENTIALS.remember(user.password_hash, password)
    if caller is None:
        raise NotAuthenticated("wrong username or password")
    return caller


def authenticate(request: Request, db: Session, settings: Settings) -> Caller:
    """HTTP Basic (a Liaison user's password, throttled) or Bearer (an API token)."""
    check_accept(request)
    authorization = request.headers.get("authorization", "")
    scheme, _, credentials = authorization.partition(" ")
    if scheme.lower() == "basic" and credentials.strip():
        return _basic(request, db, settings, credentials.strip())
    if scheme.lower() == "bearer" and credentials.strip():
        caller = auth.caller_from_token(db, settings, credentials.strip())
        if caller is None:
            raise NotAuthenticated("the API token is unknown, revoked or expired")
        return caller
    raise NotAuthenticated(
        "authenticate with HTTP Basic (username and password) or a Bearer API token"
    )


def taxii_caller(request: Request, db: DbDep, settings: SettingsDep) -> Caller:
    return authenticate(request, db, settings)


async def answer(request: Request, work: Callable[[Session, Caller], Response]) -> Response:
    """A TAXII read in one trip to the thread pool: the transaction, the sign-in and the
    work, committed before the response goes out (as ``DbDep`` does).

    Sync dependencies (the session, the caller, the settings) would each be a trip of
    their own, there and back, and under load those hand-offs between the event loop
    and the pool cost more CPU than a ``limit=1`` page itself."""
    settings: Settings = request.app.state.settings
    factory = request.app.state.session_factory

    def run() -> Response:
        with unit_of_work(factory) as db:
            return work(db, authenticate(request, db, settings))

    return await run_in_threadpool(run)


TaxiiCaller = Annotated[Caller, Depends(taxii_caller)]


# paging tokens and filters ----------------------------------------------------------------
def encode_next(seq: int) -> str:
    return base64.urlsafe_b64encode(f"liaison:{seq}".encode()).decode().rstrip("=")


def decode_next(token: str) -> int:
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        prefix, _, number = text.partition(":")
        if prefix != "liaison" or not number.isdigit() or len(number) > 18:
            raise ValueError(token)
        return int(number)
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise TaxiiError(
            400,
            "Bad request",
            f"next: '{token[:60]}' is not a paging token this server issued",
            "bad_next",
        ) from exc


def parse_added_after(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_timestamp(value, "added_after")
    except StixInvalid as exc:
        raise TaxiiError(400, "Bad request", f"added_after: {exc}", "bad_request") from exc


def split(value: str | None, parameter: str) -> list[str]:
    """A comma-separated match[...] filter; control characters (NUL) are a 400, not a
    database error."""
    if not value:
        return []
    try:
        check_text(value)
    except ValueError as exc:
        raise TaxiiError(400, "Bad request", f"{parameter}: {exc}", "bad_request") from exc
    return [part.strip() for part in value.split(",") if part.strip()]


def utc_stamp(value: datetime | str) -> str:
    """A date_added read without its column type (naive text in UTC on SQLite, in the
    session's zone on PostgreSQL) as a TAXII timestamp in UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return format_timestamp(value.astimezone(UTC) if value.tzinfo else value)


def date_headers(first: datetime | str | None, last: datetime | str | None) -> dict[str, str]:
    if first is None or last is None:
        return {}
    return {
        "X-TAXII-Date-Added-First": utc_stamp(first),
        "X-TAXII-Date-Added-Last": utc_stamp(last),
    }
