"""Your preferences: the time zone pages show (and forms read) times in, and a language."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from liaison.api.deps import DbDep
from liaison.kit.roles import Caller
from liaison.users import service
from liaison.users.schemas import Language, PreferencesUpdate
from liaison.web import times
from liaison.web.views.common import CsrfFormDep, PageCallerDep, render
from liaison.web.views.forms import FormState, read_values, submit

router = APIRouter(include_in_schema=False)
LANGUAGES = {Language.ENGLISH: "English", Language.FRENCH: "Français", Language.HINDI: "हिन्दी"}


def _page(request: Request, db: DbDep, caller: Caller, form: FormState | None = None) -> Response:
    current = service.preferences(db, caller)
    shown = form or FormState(
        values={"time_zone": current.time_zone, "language": current.language.value}
    )
    return render(
        request,
        "preferences.html",
        caller=caller,
        status=shown.status,
        form=shown,
        party_zone=current.party_time_zone,
        zones=[(name, name) for name in times.zone_names()],
        languages=[(lang.value, label) for lang, label in LANGUAGES.items()],
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
