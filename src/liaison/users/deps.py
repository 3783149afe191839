"""Who is calling: an API token (scripts) or a session cookie with CSRF (browsers)."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from liaison.api import idempotency
from liaison.api.deps import DbDep, SettingsDep
from liaison.kit.errors import Forbidden, NotAuthenticated
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.users import auth

SESSION_COOKIE = "liaison_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def optional_caller(request: Request, db: DbDep, settings: SettingsDep) -> Caller | None:
    """Bearer token for scripts, else the session cookie for browsers."""
    authorization = request.headers.get("authorization", "")
    if authorization:
        scheme, _, credentials = authorization.partition(" ")
        if scheme.lower() != "bearer" or not credentials.strip():
            raise NotAuthenticated(N_("use 'Authorization: Bearer <token>' with an API token"))
        caller = auth.caller_from_token(db, settings, credentials.strip())
        if caller is None:
            raise NotAuthenticated(N_("the API token is unknown, revoked or expired"))
        return caller
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    return auth.caller_from_session(db, settings, cookie)


def check_csrf(request: Request, caller: Caller, submitted: str | None) -> None:
    """Cookie-authenticated writes must echo the session's CSRF token."""
    if request.method in SAFE_METHODS or caller.csrf_token is None:
        return
    if not submitted or not hmac.compare_digest(submitted.encode(), caller.csrf_token.encode()):
        raise Forbidden(N_("missing or wrong CSRF token: reload the page and try again"))


def api_caller(
    request: Request, db: DbDep, caller: Annotated[Caller | None, Depends(optional_caller)]
) -> Caller:
    if caller is None:
        raise NotAuthenticated(N_("sign in, or send an API token as 'Authorization: Bearer ...'"))
    check_csrf(request, caller, request.headers.get(CSRF_HEADER))
    idempotency.claim_for(request, db, caller)  # an Idempotency-Key: claimed or replayed
    return caller


CallerDep = Annotated[Caller, Depends(api_caller)]
