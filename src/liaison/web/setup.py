"""Mount the web UI's shared parts on the app: static files and HTML error pages.

The pages themselves come from the domains' plug-ins (``Plugin.web_routers``)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from liaison.kit.errors import Message
from liaison.kit.i18n import localized
from liaison.kit.roles import Caller
from liaison.web import i18n
from liaison.web.views.common import STATIC_DIR, is_htmx, login_url, render, sentence


def render_error(request: Request, status: int, title: str, detail: Message) -> Response | None:
    """An error page for browsers; ``None`` lets everything else get problem+json.

    A 401 sends the browser to sign in and back. For htmx requests the page
    replaces the main landmark, whatever element made the request.
    """
    htmx = is_htmx(request)
    if not htmx and "text/html" not in request.headers.get("accept", ""):
        return None
    if status == 401:
        url = login_url(request)
        if htmx:
            return Response(status_code=200, headers={"HX-Redirect": url})
        return RedirectResponse(url, status_code=303)
    swap = {"HX-Retarget": "#main", "HX-Reswap": "outerHTML", "HX-Reselect": "#main"}
    caller: Caller | None = getattr(request.state, "web_caller", None)
    language = i18n.choose(request, caller.language if caller else None)
    zone_name = caller.time_zone if caller else "UTC"
    return render(
        request,
        "error.html",
        caller=caller,
        status=status,
        headers=swap if htmx else None,
        title=localized(title, language),
        detail=sentence(localized(detail, language, zone_name)),
    )


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.state.web_error_renderer = render_error
