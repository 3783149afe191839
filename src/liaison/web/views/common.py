"""What every page shares: templates, the signed-in caller, CSRF-checked forms, redirects."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

import jinja2
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData
from starlette.templating import Jinja2Templates

from liaison.api.headers import CONTENT_SECURITY_POLICY
from liaison.kit.errors import Message, NotAuthenticated
from liaison.kit.i18n import label as word_label
from liaison.kit.i18n import localized, long_date
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.kit.words import humanize
from liaison.users.deps import CSRF_HEADER, check_csrf, optional_caller
from liaison.web import i18n, people, times

WEB_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

# Pages load scripts and styles from this origin only (htmx is vendored, no inline code).
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def label(value: object) -> str:
    """An enum value as words in the reader's language (the enums whose labels are in the
    catalogue are listed in ``liaison.web.labels``)."""
    return word_label(value)


def sentence(value: object) -> str:
    """First letter upper-case, the rest as written (messages name codes like 'RCMP')."""
    text = str(value)
    return text[:1].upper() + text[1:]


def iso_date(value: date | None) -> str:
    return value.isoformat() if value else ""


def choices(members: Iterable[StrEnum]) -> list[tuple[str, str]]:
    """(value, label) pairs for a select or a group of checkboxes."""
    return [(member.value, humanize(member)) for member in members]


def shown(message: Message) -> str:
    """A message (an error, a notice) in the reader's language and zone."""
    return localized(message, i18n.CURRENT.get(), times.READER_ZONE.get())


_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    extensions=["jinja2.ext.i18n"],
)
_env.policies["ext.i18n.trimmed"] = True
# Translations are looked up per page (``i18n.CURRENT``), so one environment serves all.
_env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=i18n.gettext_, ngettext=i18n.ngettext_, newstyle=True
)
_env.globals["language_names"] = i18n.NATIVE_NAMES
# A message id held in a variable (work-queue titles, form errors, option labels): a plain
# string, escaped like any value. Never ``_(variable)``: gettext's result is trusted markup.
_env.filters["translated"] = shown
_env.filters["humanize"] = label
_env.filters["iso_date"] = iso_date
_env.filters["long_date"] = long_date
_env.filters["sentence"] = sentence
_env.filters["when"] = times.when
_env.filters["deadline"] = times.deadline
_env.filters["relative"] = times.relative
_env.filters["input_time"] = times.input_value
_env.globals["zone_label"] = times.zone_label
_env.filters["person"] = people.person
templates = Jinja2Templates(env=_env)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    name: str,
    *,
    caller: Caller | None,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    # ``me``, not ``caller``: Jinja reserves ``caller`` inside {% call %} blocks.
    language = i18n.choose(request, caller.language if caller else None)
    context |= {
        "request": request,
        "me": caller,
        "node": request.app.state.settings,
        "lang": language,
    }
    # Times on the page are shown in the reader's zone (the template renders right here).
    token = times.READER_ZONE.set(caller.time_zone if caller else "UTC")
    lookups = people.PEOPLE.set(people.Directory(request.app.state.session_factory))
    speaking = i18n.CURRENT.set(language)
    try:
        return templates.TemplateResponse(
            request,
            name,
            context,
            status_code=status,
            headers=SECURITY_HEADERS | (headers or {}),
        )
    finally:
        i18n.CURRENT.reset(speaking)
        people.PEOPLE.reset(lookups)
        times.READER_ZONE.reset(token)


def redirect_after_post(request: Request, url: str) -> Response:
    """303 for a plain form; for htmx, a full navigation (``HX-Redirect``)."""
    if is_htmx(request):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def safe_next(value: str | None) -> str:
    """A local path to go to after signing in; anything else (other sites, ``//host``) → ``/``."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return "/"
    if "\\" in value or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in value):
        return "/"
    return value


def login_url(request: Request) -> str:
    """Where to sign in, coming back to this page (or, for a form post, the page it came from)."""
    if request.method in ("GET", "HEAD"):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    else:
        referer = urlsplit(request.headers.get("referer", ""))
        same_site = referer.netloc == request.url.netloc
        target = referer.path + (f"?{referer.query}" if referer.query else "") if same_site else "/"
    target = safe_next(target)
    return "/login" if target == "/" else f"/login?{urlencode({'next': target})}"


def page_caller(
    request: Request, caller: Annotated[Caller | None, Depends(optional_caller)]
) -> Caller:
    """The signed-in user; otherwise NotAuthenticated, which the web renders as a redirect."""
    if caller is None:
        raise NotAuthenticated(N_("sign in to continue"))
    request.state.web_caller = caller  # lets error pages keep the navigation
    return caller


PageCallerDep = Annotated[Caller, Depends(page_caller)]


async def submitted_form(request: Request) -> FormData:
    """The parsed form body; async so that the (sync) views run in the thread pool."""
    return await request.form()


FormDep = Annotated[FormData, Depends(submitted_form)]


def form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def form_list(form: FormData, name: str) -> list[str]:
    return [value for value in form.getlist(name) if isinstance(value, str)]


def csrf_form(request: Request, caller: PageCallerDep, form: FormDep) -> FormData:
    """The form of a signed-in user's POST, after checking its CSRF token (field or header)."""
    submitted = form_text(form, "csrf_token") or request.headers.get(CSRF_HEADER, "")
    check_csrf(request, caller, submitted)
    return form


CsrfFormDep = Annotated[FormData, Depends(csrf_form)]


def page_links(request: Request, offset: int, limit: int, shown: int) -> dict[str, str | None]:
    """Previous/next links for a bounded list page, keeping the other query parameters."""
    url = request.url
    previous = url.include_query_params(offset=max(offset - limit, 0)) if offset > 0 else None
    following = url.include_query_params(offset=offset + limit) if shown >= limit else None
    return {
        "previous": f"{previous.path}?{previous.query}" if previous else None,
        "next": f"{following.path}?{following.query}" if following else None,
    }
