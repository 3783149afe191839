"""Translations of what people read (web pages, the PDF report): gettext catalogues in
``liaison/locale/<language>/LC_MESSAGES/messages.po``, read and compiled in memory the
first time a language is needed (no ``.mo`` files to go stale; the ``.po`` files ship in
the wheel). ``CURRENT`` is the language of what is being rendered now; whoever renders
sets it (the web per page, from the reader's choice)."""

from __future__ import annotations

import gettext
from contextvars import ContextVar
from functools import cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT = "en"
LANGUAGES = ("en", "fr", "hi")

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


def gettext_(message: str) -> str:
    """``message`` in the current language."""
    return translations(CURRENT.get()).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return translations(CURRENT.get()).ngettext(singular, plural, n)
