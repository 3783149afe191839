"""Sign in and sign out.

The sign-in form has no session yet, so it is protected by a double-submit cookie:
a random ``liaison_login_csrf`` cookie that the form echoes in a hidden field.
"""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from liaison.api.deps import DbDep, SettingsDep, client_ip
from liaison.config import Settings
from liaison.kit.errors import TooManyAttempts
from liaison.users import auth
from liaison.users.deps import SESSION_COOKIE
from liaison.web.i18n import N_
from liaison.web.views.common import (
    CsrfFormDep,
    FormDep,
    PageCallerDep,
    form_text,
    redirect_after_post,
    render,
    safe_next,
)
from liaison.web.views.forms import FormState

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_COOKIE = "liaison_login_csrf"
LOGIN_PATH = "/login"


def _login_token(request: Request) -> str:
    current = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if len(current) == 43 and current.isascii():
        return current
    return secrets.token_urlsafe(32)


def _login_page(
    request: Request,
    settings: Settings,
    form: FormState,
    headers: dict[str, str] | None = None,
) -> Response:
    token = _login_token(request)
    response = render(
        request,
        "login.html",
        caller=None,
        status=form.status,
        headers=headers,
        form=form,
        login_csrf=token,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        path=LOGIN_PATH,
        secure=settings.cookie_secure,
    )
    return response


@router.get("/login")
def login_page(
    request: Request, db: DbDep, settings: SettingsDep, next: str | None = None
) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie and auth.caller_from_session(db, settings, cookie) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _login_page(request, settings, FormState(values={"next": safe_next(next)}))


@router.post("/login")
def login_submit(request: Request, db: DbDep, settings: SettingsDep, form: FormDep) -> Response:
    username = form_text(form, "username").strip()
    next_path = safe_next(form_text(form, "next"))
    state = FormState(values={"username": username, "next": next_path})
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "").encode()
    submitted = form_text(form, "csrf_token").encode()
    if not expected or not hmac.compare_digest(expected, submitted):
        state.status, state.message = 403, N_("This sign-in form expired. Please sign in again.")
        return _login_page(request, settings, state)
    if not username:
        state.status, state.errors = 422, {"username": N_("enter your username")}
        return _login_page(request, settings, state)
    try:
        user = auth.check_password(
            db, settings, username, form_text(form, "password"), client_ip(request)
        )
    except TooManyAttempts as exc:
        state.status, state.message = 429, exc.detail
        retry = {"Retry-After": str(exc.retry_after_seconds)}
        return _login_page(request, settings, state, headers=retry)
    if user is None:
        # Not an exception: the failed attempt the service recorded must be committed.
        state.status, state.message = 401, N_("Wrong username or password.")
        return _login_page(request, settings, state)
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        auth.close_session(db, settings, previous)
    plaintext, _session = auth.open_session(db, settings, user)
    response = redirect_after_post(request, next_path)
    response.set_cookie(
        SESSION_COOKIE,
        plaintext,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        path="/",
        secure=settings.cookie_secure,
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path=LOGIN_PATH)
    return response


@router.post("/logout")
def logout(
    request: Request, db: DbDep, settings: SettingsDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        auth.close_session(db, settings, cookie)
    response = redirect_after_post(request, LOGIN_PATH)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.cookie_secure
    )
    return response
