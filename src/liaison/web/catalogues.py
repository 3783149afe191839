"""Keeping the catalogues in step with the code: extract the message ids (templates,
web Python marked with ``N_``/``gettext_``, enum labels), update ``fr`` and ``hi``, and
check that every id is translated and every translation still used (CI runs the check;
``tools/i18n.py`` is the command line)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from liaison.kit.words import humanize
from liaison.web import i18n
from liaison.web.labels import enum_labels

PACKAGE = Path(__file__).resolve().parent.parent
TRANSLATED = tuple(language for language in i18n.LANGUAGES if language != i18n.DEFAULT)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "gettext_": None, "N_": None}
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}
# Templates left out of the catalogues (none: every page is translated).
NOT_YET: tuple[str, ...] = ()


def _skipped(path: str) -> bool:
    return any(path.startswith(f"{name}/") or f"/{name}/" in path for name in NOT_YET)


def extract() -> Catalog:
    """Every message id the web UI uses, with where it is used."""
    catalog = Catalog(project="Liaison", domain="messages", fuzzy=False)
    templates = PACKAGE / "web" / "templates"
    found = extract_from_dir(
        templates,
        method_map=[("**.html", "jinja2")],
        options_map={"**.html": JINJA_OPTIONS},
        keywords=KEYWORDS,
        callback=None,
        strip_comment_tags=True,
    )
    for filename, line, message, _comments, _context in found:
        if not _skipped(filename):
            catalog.add(message, locations=[(f"web/templates/{filename}", line)])
    python = extract_from_dir(
        PACKAGE,
        method_map=[("kit/i18n.py", "ignore"), ("**.py", "python")],
        keywords={"N_": None, "gettext_": None},
    )
    for filename, line, message, _comments, _context in python:
        catalog.add(message, locations=[(filename, line)])
    for label in enum_labels(humanize):
        catalog.add(label, locations=[("web/labels.py", 1)])
    return catalog


def read(language: str) -> Catalog:
    path = i18n.catalogue_path(language)
    if not path.exists():
        return Catalog(locale=language, project="Liaison", fuzzy=False)
    with path.open("rb") as po:
        return read_po(po, locale=language)


def write(language: str, catalog: Catalog) -> None:
    path = i18n.catalogue_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as po:
        write_po(po, catalog, width=100, omit_header=False, sort_output=True)


def update() -> None:
    """Add new ids (untranslated), drop ids no longer used, keep every translation."""
    template = extract()
    for language in TRANSLATED:
        catalog = read(language)
        created = catalog.creation_date  # kept: the header changes only when ids do
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        catalog.creation_date = created
        catalog.obsolete.clear()
        write(language, catalog)


def _key(message_id: object) -> str:
    return message_id[0] if isinstance(message_id, tuple) else str(message_id)


def problems() -> Iterator[str]:
    """What is missing, untranslated, fuzzy or unused in each catalogue."""
    wanted = {_key(m.id) for m in extract() if m.id}
    for language in TRANSLATED:
        catalog = read(language)
        have = {_key(m.id): m for m in catalog if m.id}
        for message_id in sorted(wanted - have.keys()):
            yield f"{language}: missing {message_id!r}"
        for message_id in sorted(have.keys() - wanted):
            yield f"{language}: unused {message_id!r}"
        for message_id in sorted(wanted & have.keys()):
            message = have[message_id]
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy:
                yield f"{language}: fuzzy {message_id!r}"
            elif not all(strings):
                yield f"{language}: untranslated {message_id!r}"
        for message, errors in catalog.check():
            for error in errors:  # e.g. a placeholder the translation lost or misspelt
                yield f"{language}: {_key(message.id)!r}: {error}"
