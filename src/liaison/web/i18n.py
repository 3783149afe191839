"""The web UI in English, French and Hindi (gettext catalogues in ``liaison/locale``).

Catalogues are read from the ``.po`` files themselves when first needed (no compiled
``.mo`` to go stale; the ``.po`` files ship in the wheel with the templates). The
language of a page: the reader's saved preference, else the language last picked in
the switcher on this browser (a cookie, for the sign-in page), else the browser's best
match among ours (``Accept-Language``), else English.
"""

from __future__ import annotations

import gettext
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.core import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from starlette.requests import Request

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT = "en"
LANGUAGES = ("en", "fr", "hi")
# Each language named in itself (the switcher shows these, whatever the page's language).
NATIVE_NAMES = {"en": "English", "fr": "Français", "hi": "हिन्दी"}
LANGUAGE_COOKIE = "liaison_language"

# The language of the page being rendered (set by ``render``; templates read it).
CURRENT: ContextVar[str] = ContextVar("liaison_language", default=DEFAULT)


def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalogue of ``language`` (English: the message ids themselves)."""
    if language not in LANGUAGES or language == DEFAULT:
        return gettext.NullTranslations()
    with catalogue_path(language).open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def best_match(accept_language: str) -> str | None:
    """Our language the browser prefers most (``fr-CA,fr;q=0.9,en;q=0.8`` → ``fr``)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        try:
            language = Locale.parse(tag.strip(), sep="-").language if tag.strip() else ""
        except (ValueError, UnknownLocaleError):
            continue
        if language in LANGUAGES and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None


def choose(request: Request, saved: str | None) -> str:
    """The language to show ``request`` in, given the reader's saved preference."""
    if saved in LANGUAGES:
        return saved
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return best_match(request.headers.get("accept-language", "")) or DEFAULT


def gettext_(message: str) -> str:
    return translations(CURRENT.get()).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return translations(CURRENT.get()).ngettext(singular, plural, n)


def translate(language: str, message: str) -> str:
    """``message`` in ``language`` (for text made outside a page, e.g. a flash message)."""
    return translations(language).gettext(message)


def N_(message: str) -> str:
    """Marks a string for the catalogue; a template translates it when it shows it."""
    return message
