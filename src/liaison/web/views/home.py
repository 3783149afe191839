"""The home page: the signed-in user's work queue, then where to go next."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from liaison.api.deps import DbDep, SettingsDep
from liaison.web.views.common import PageCallerDep, render
from liaison.web.views.work_queue import WorkSection

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, db: DbDep, caller: PageCallerDep, settings: SettingsDep) -> Response:
    """Each domain's section of the queue (``Plugin.work_queue``), the ones with work first."""
    sections: list[WorkSection] = [
        section
        for provider in request.app.state.registry.work_queue
        if (section := provider(db, caller, settings)) is not None
    ]
    sections.sort(key=lambda section: not section.items)  # stable: domain order otherwise
    return render(request, "home.html", caller=caller, sections=sections)
