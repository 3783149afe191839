"""The web UI in English, French and Hindi: which language a page is in.

The language of a page: the reader's saved preference, else the language last picked in
the switcher on this browser (a cookie, for the sign-in page), else the browser's best
match among ours (``Accept-Language``), else English. The catalogues themselves are
``liaison.kit.i18n``'s.
"""

from __future__ import annotations

from starlette.requests import Request

from liaison.kit.i18n import (
    CURRENT,
    DEFAULT,
    LANGUAGES,
    best_match,
    catalogue_path,
    gettext_,
    ngettext_,
)
from liaison.kit.plugin import N_

__all__ = [
    "CURRENT",
    "DEFAULT",
    "LANGUAGES",
    "LANGUAGE_COOKIE",
    "NATIVE_NAMES",
    "N_",
    "best_match",
    "catalogue_path",
    "choose",
    "gettext_",
    "ngettext_",
]

# Each language named in itself (the switcher shows these, whatever the page's language).
NATIVE_NAMES = {"en": "English", "fr": "Français", "hi": "हिन्दी"}
LANGUAGE_COOKIE = "liaison_language"


def choose(request: Request, saved: str | None) -> str:
    """The language to show ``request`` in, given the reader's saved preference."""
    if saved in LANGUAGES:
        return saved
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return best_match(request.headers.get("accept-language", "")) or DEFAULT
