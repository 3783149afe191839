"""Every word a page shows goes through the catalogue: a template's text outside
``_()``, ``ngettext`` or ``{% trans %}`` stays English for a French or Hindi officer
(a walk found the bulk hit/no-hit page, the TAXII feeds page and a dozen labels so). This
scan fails on such text, and on English in attributes people read (``aria-label``,
``title``, ``placeholder``, ``alt``) and in the label and hint arguments of the form
macros."""

from __future__ import annotations

import re
from pathlib import Path

import liaison.web

TEMPLATES = Path(liaison.web.__file__).parent / "templates"
# Text that is the same in every language: the product's name, STIX/TAXII property names,
# CSV column names, commands, hash names.
ALLOWED = re.compile(
    r"^(· Liaison|\(CAS\s*\)|\( ,\s+,\s+SHA-256\s*\)|TLP:|/taxii2/.*|"
    r"category,value,.*|exporter, exporter_country.*)$"
)
# what is left of a tag whose attributes a {% if %} split: attributes, no text
_ATTRIBUTES_ONLY = re.compile(r'^((aria-[\w-]+|autofocus|required)(="[^"]*")?\s*)+$')
_STRIPPED = [
    re.compile(r"\{#.*?#\}", re.S),
    re.compile(r"\{%-?\s*trans\b.*?endtrans\s*-?%\}", re.S),
    re.compile(r"\{%.*?%\}", re.S),
    re.compile(r"\{\{.*?\}\}", re.S),
    re.compile(r"<(script|style|code|pre|kbd|samp)\b.*?</\1>", re.S),
    re.compile(r"<[^>]*>", re.S),
]
_READ_ATTRIBUTE = re.compile(r'\b(aria-label|title|placeholder|alt)="([^"{]*[A-Za-z]{3,}[^"]*)"')
_MACRO_TEXT = re.compile(
    r"ui\.(input|select|textarea|checkbox)\(\s*\w+,\s*\"\w+\",\s*\"[A-Za-z]"
    r"|\b(hint|blank)=\"[A-Za-z]"
)


def untranslated(text: str) -> list[str]:
    found = [m.group(0) for m in _READ_ATTRIBUTE.finditer(text)]
    found += [m.group(0) for m in _MACRO_TEXT.finditer(text)]
    for pattern in _STRIPPED:
        text = pattern.sub(" ", text)
    for line in text.splitlines():
        line = " ".join(line.split())
        if re.search(r"[A-Za-z]{3,}", line) and not (
            ALLOWED.match(line) or _ATTRIBUTES_ONLY.match(line)
        ):
            found.append(line)
    return found


def test_no_template_shows_text_outside_the_catalogue() -> None:
    problems = {
        str(path.relative_to(TEMPLATES)): found
        for path in sorted(TEMPLATES.rglob("*.html"))
        if (found := untranslated(path.read_text(encoding="utf-8")))
    }
    assert problems == {}


def test_the_scan_catches_what_it_forbids() -> None:
    assert untranslated("<p>Pull now</p>") == ["Pull now"]
    assert untranslated('<button aria-label="Remove the feed">x</button>')
    assert untranslated('{{ ui.input(form, "url", "Collection URL") }}')
    assert untranslated('{{ ui.input(form, "url", _("URL"), hint="The remote one") }}')
    assert untranslated('<p>{{ _("Pull now") }} <code>liaison x</code></p>') == []
    assert untranslated("{% trans %}Hit{% pluralize %}Hits{% endtrans %}") == []
