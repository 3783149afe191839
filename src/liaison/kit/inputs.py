"""Base for every inbound pydantic model, and constrained path/query parameters.

Text that a database cannot store (NUL, other C0 control characters except tab
and newlines) is refused at the boundary with a message naming the field.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import Path, Query, Request
from pydantic import AfterValidator, BaseModel, ConfigDict, field_validator

from liaison.kit.errors import ValidationFailed
from liaison.kit.plugin import N_

_FORBIDDEN_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

ID_PATTERN = r"^[0-9A-Za-z-]{1,36}$"


def check_text(value: Any) -> Any:
    if isinstance(value, str) and _FORBIDDEN_CONTROL.search(value):
        raise ValueError(N_("contains control characters (such as NUL) that are not allowed"))
    if isinstance(value, list):
        for item in value:
            check_text(item)
    return value


class InputModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return check_text(value)


IdPath = Annotated[str, Path(pattern=ID_PATTERN, description="a UUIDv7 identifier")]
UsernamePath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")]
# Filters as a plain GET form submits them: an empty value means "any".
OptionalIdQuery = Annotated[str | None, Query(pattern=r"^(?:[0-9A-Za-z-]{1,36})?$")]
OptionalPartyQuery = Annotated[
    str | None, Query(pattern=r"^(?:[A-Za-z]{2})?$", description="ISO 3166-1 alpha-2")
]
# Free text in a query string (search terms, keys, cursors): the same refusal of
# characters a database cannot store, as a 422 naming the parameter.
QueryText = Annotated[str, AfterValidator(check_text)]


# The TAXII server answers bad filters itself, as TAXII errors (taxii_http.split).
_OWN_QUERY_ERRORS = ("/taxii2/",)


def refuse_control_characters_in_query(request: Request) -> None:
    """Every route's query string, before any handler: a parameter holding NUL or
    another control character is a 422 naming it, never a database error later."""
    if request.url.path.startswith(_OWN_QUERY_ERRORS):
        return
    for name, value in request.query_params.multi_items():
        for text in (name, value):
            if _FORBIDDEN_CONTROL.search(text):
                raise ValidationFailed.on_field(
                    _FORBIDDEN_CONTROL.sub("?", name),
                    N_("contains control characters (such as NUL) that are not allowed"),
                )
