"""The home dashboard: who you are, this node, where to go next."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from liaison.web.views.common import PageCallerDep, render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home(request: Request, caller: PageCallerDep) -> Response:
    return render(request, "home.html", caller=caller)
