"""Translations of what people read (web pages, the PDF report): gettext catalogues in
``liaison/locale/<language>/LC_MESSAGES/messages.po``, read and compiled in memory the
first time a language is needed (no ``.mo`` files to go stale; the ``.po`` files ship in
the wheel). ``CURRENT`` is the language of what is being rendered now; whoever renders
sets it (the web per page, from the reader's choice)."""

from __future__ import annotations

import gettext
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from typing import Any

from liaison.kit.words import humanize
from liaison.kit.zones import zoned_text

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
    # Babel only here: every error carries a Text, and the CLI must not pay for Babel
    # (~0.2 s) to print one in English.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

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


def label(value: object) -> str:
    """An enum value as words in the current language (``humanize``, then the catalogue)."""
    return gettext_(humanize(value))


def long_date(value: date | None, form: str = "long") -> str:
    """A date as the current language writes it, day first: ``7 December 2026``,
    ``7 décembre 2026``, ``7 दिसंबर 2026`` (``form="medium"``: the month abbreviated)."""
    if value is None:
        return ""
    from babel.dates import format_date  # lazily: see translations()

    pattern = "d MMMM y" if form == "long" else "d MMM y"
    return str(format_date(value, format=pattern, locale=CURRENT.get()))


@dataclass(frozen=True)
class Label:
    """An enum value shown as its label (``kit.words.humanize``), translated; ``inline``
    for the middle of a sentence (``Person`` → ``person``, an acronym kept as it is)."""

    value: object
    inline: bool = False


@dataclass(frozen=True)
class Text:
    """A text written once and read by several people, each in their own language and time
    zone (a notification, an e-mail): a message id with ``%(name)s`` placeholders and its
    values. A value that is a ``datetime`` is shown in the reader's zone, a ``Label`` or a
    ``Text`` is translated, anything else is shown as it is (names, references, subjects)."""

    message: str
    values: Mapping[str, object] = field(default_factory=dict)

    def __init__(self, message: str, /, **values: object) -> None:
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "values", values)

    def render(self, language: str, zone_name: str) -> str:
        catalogue = translations(language)
        translated = catalogue.gettext(self.message) if self.message else self.message
        if not self.values:  # no placeholders: a '%' in it is just a percent sign
            return translated
        return translated % {
            name: _shown(value, catalogue, language, zone_name)
            for name, value in self.values.items()
        }

    def __str__(self) -> str:
        return self.render(DEFAULT, "UTC")


def _shown(
    value: object, catalogue: gettext.NullTranslations, language: str, zone_name: str
) -> object:
    if isinstance(value, Text):
        return value.render(language, zone_name)
    if isinstance(value, Label):
        label = catalogue.gettext(humanize(value.value))
        acronym = label[1:2].isupper()
        return label[:1].lower() + label[1:] if value.inline and not acronym else label
    if isinstance(value, datetime):
        return zoned_text(value, zone_name)
    return value


def rendered(text: str | Text, language: str, zone_name: str) -> str:
    """``text`` for one reader; plain strings are already final."""
    return text if isinstance(text, str) else text.render(language, zone_name)


def as_text(message: str | Text) -> Text:
    """``message`` as a ``Text`` (a ``str`` taken as a message id), to nest in another."""
    return message if isinstance(message, Text) else Text(message)


def localized(message: str | Text, language: str, zone_name: str = "UTC") -> str:
    """An error's message for one reader: a ``Text`` rendered; a ``str`` looked up in the
    catalogue, so an id marked ``N_`` is translated and any other text (a value that is
    already final, such as a peer's reason) comes back as it is."""
    if isinstance(message, Text):
        return message.render(language, zone_name)
    return translations(language).gettext(message) if message else message


def text_data(message: str | Text) -> dict[str, Any]:
    """A message as plain data (JSON) to keep and show later, each time in the reader's
    language: ``{"message": id, "values": {...}}``; a nested ``Text`` is ``{"text": ...}``,
    a ``Label`` ``{"label": value, "inline": bool}``, a time its ISO form."""
    text = as_text(message)
    return {"message": text.message, "values": {k: _data(v) for k, v in text.values.items()}}


def _data(value: object) -> object:
    if isinstance(value, Text):
        return {"text": text_data(value)}
    if isinstance(value, Label):
        return {"label": str(getattr(value.value, "value", value.value)), "inline": value.inline}
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value if isinstance(value, int | float | str) else str(value)


def text_from_data(data: Mapping[str, Any]) -> Text:
    """The ``Text`` that ``text_data`` kept."""
    return Text(str(data["message"]), **{k: _value(v) for k, v in data["values"].items()})


def _value(value: object) -> object:
    if isinstance(value, Mapping) and "text" in value:
        return text_from_data(value["text"])
    if isinstance(value, Mapping) and "label" in value:
        return Label(value["label"], inline=bool(value.get("inline")))
    return value


def best_match(accept_language: str) -> str | None:
    """Our language the client prefers most (``fr-CA,fr;q=0.9,en;q=0.8`` → ``fr``)."""
    from babel.core import Locale, UnknownLocaleError  # lazily: see translations()

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
