"""Pydantic's validation errors in words an officer reads, in their language: one table,
by error ``type`` with its ``ctx`` (the web's forms and the API's 422 both use it).

A validator that refuses a value raises ``ValueError(N_("is not an e-mail address"))``,
or ``InvalidValue(Text(...))`` when the message carries values; the table looks the
message up in the catalogue like any other."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from liaison.kit.i18n import Text
from liaison.kit.plugin import N_

_PLACEHOLDER = re.compile(r"%\((\w+)\)")
_DATE = N_("enter a date as YYYY-MM-DD")
_DATETIME = N_("enter a date and time, e.g. 2026-02-10 10:00")
_NUMBER = N_("enter a whole number")

# type → message id; its %(name)s placeholders are filled from the error's ctx.
MESSAGES: dict[str, str] = {
    "missing": N_("this field is required"),
    "string_too_short": N_("must be at least %(min_length)s characters"),
    "string_too_long": N_("must be at most %(max_length)s characters"),
    "too_short": N_("must have at least %(min_length)s items"),
    "too_long": N_("must have at most %(max_length)s items"),
    "string_pattern_mismatch": N_("contains characters that are not allowed here"),
    "string_type": N_("enter text here"),
    "greater_than": N_("must be greater than %(gt)s"),
    "greater_than_equal": N_("must be %(ge)s or more"),
    "less_than": N_("must be less than %(lt)s"),
    "less_than_equal": N_("must be %(le)s or less"),
    "int_parsing": _NUMBER,
    "int_type": _NUMBER,
    "int_from_float": _NUMBER,
    "float_parsing": N_("enter a number"),
    "float_type": N_("enter a number"),
    "decimal_parsing": N_("enter a number"),
    "bool_parsing": N_("answer yes or no"),
    "bool_type": N_("answer yes or no"),
    "uuid_parsing": N_("is not a valid identifier"),
    "uuid_type": N_("is not a valid identifier"),
    "enum": N_("choose one of the listed options"),
    "literal_error": N_("choose one of the listed options"),
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "date_parsing": _DATE,
    "date_type": _DATE,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_type": _DATETIME,
    "timezone_aware": N_("give the time with its time zone"),
    "url_parsing": N_("is not a valid web address"),
    "url_scheme": N_("is not a valid web address"),
    "extra_forbidden": N_("this field is not expected here"),
    "list_type": N_("give a list here"),
    "dict_type": N_("give an object here"),
    "model_type": N_("give an object here"),
    "model_attributes_type": N_("give an object here"),
}


class InvalidValue(ValueError):
    """A validator's refusal with values in it; ``str()`` is English, for logs."""

    def __init__(self, text: Text) -> None:
        super().__init__(str(text))
        self.text = text


def invalid_message(error: Mapping[str, Any]) -> str | Text:
    """One pydantic error (an item of ``ValidationError.errors()``) as a message."""
    kind = str(error.get("type"))
    ctx = error.get("ctx") or {}
    if kind == "string_too_short" and error.get("input") == "":
        return MESSAGES["missing"]
    if kind in ("value_error", "assertion_error"):
        cause = ctx.get("error")
        if isinstance(cause, InvalidValue):
            return cause.text
        if cause is not None and str(cause):
            return str(cause)  # an N_-marked id is translated where it is shown
        return str(error.get("msg", "")).removeprefix("Value error, ")
    template = MESSAGES.get(kind)
    values = {name: _shown(value) for name, value in ctx.items()}
    if template is None or not set(_PLACEHOLDER.findall(template)) <= values.keys():
        return str(error.get("msg") or N_("is not valid"))  # pydantic's English, never nothing
    return Text(template, **values)


def _shown(value: object) -> object:
    return value if isinstance(value, int | float | str) else str(value)
