"""Your preferences: the time zone pages show (and forms read) times in, and a language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from liaison.api.deps import DbDep, SettingsDep
from liaison.kit.errors import ValidationFailed
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.users import service
from liaison.users.deps import CSRF_HEADER, check_csrf, optional_caller
from liaison.users.schemas import Language, PreferencesUpdate
from liaison.web import i18n, times
from liaison.web.views.common import (
    CsrfFormDep,
    FormDep,
    PageCallerDep,
    form_text,
    redirect_after_post,
    render,
    safe_next,
)
from liaison.web.views.forms import FormState, read_values, submit

router = APIRouter(include_in_schema=False)


def _page(request: Request, db: DbDep, caller: Caller, form: FormState | None = None) -> Response:
    current = service.preferences(db, caller)
    shown = form or FormState(
        values={
            "time_zone": current.time_zone,
            # Not chosen yet: the language the pages are in now (the browser's).
            "language": caller.language or i18n.choose(request, None),
        }
    )
    return render(
        request,
        "preferences.html",
        caller=caller,
        status=shown.status,
        form=shown,
        party_zone=current.party_time_zone,
        zones=[(name, name) for name in times.zone_names()],
        languages=list(i18n.NATIVE_NAMES.items()),
        saved=request.query_params.get("saved") == "1",
    )


@router.get("/preferences")
def preferences(request: Request, db: DbDep, caller: PageCallerDep) -> Response:
    return _page(request, db, caller)


@router.post("/preferences")
def save_preferences(
    request: Request, db: DbDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    values = read_values(form, ("time_zone", "language"))
    return submit(
        request,
        db,
        values,
        lambda: service.set_preferences(db, caller, PreferencesUpdate.model_validate(values)),
        then=lambda result: "/preferences?saved=1",
        again=lambda result: _page(request, db, caller, result),
    )


@router.post("/language")
def switch_language(
    request: Request,
    db: DbDep,
    settings: SettingsDep,
    caller: Annotated[Caller | None, Depends(optional_caller)],
    form: FormDep,
) -> Response:
    """The switcher on every page: kept as the reader's preference when signed in, and in a
    cookie for this browser (so the sign-in page speaks it too)."""
    choice = form_text(form, "language")
    if choice not in i18n.LANGUAGES:
        raise ValidationFailed.on_field("language", N_("choose English, Français or हिन्दी"))
    if caller is not None:
        check_csrf(
            request, caller, form_text(form, "csrf_token") or request.headers.get(CSRF_HEADER)
        )
        service.set_language(db, caller, Language(choice))
    response = redirect_after_post(request, safe_next(form_text(form, "next")))
    response.set_cookie(
        i18n.LANGUAGE_COOKIE,
        choice,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="lax",
        path="/",
        secure=settings.cookie_secure,
    )
    return response
