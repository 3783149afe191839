"""Directory: the parties to the arrangement."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from liaison.api.deps import DbDep
from liaison.directory.repository import DirectoryRepository
from liaison.web.views.common import PageCallerDep, render

router = APIRouter(prefix="/directory", include_in_schema=False)


@router.get("")
def directory_home() -> Response:
    return RedirectResponse("/directory/agencies", status_code=303)


@router.get("/parties")
def parties(request: Request, db: DbDep, caller: PageCallerDep) -> Response:
    found = DirectoryRepository(db, caller).parties()
    return render(request, "parties.html", caller=caller, parties=found)
