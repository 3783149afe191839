"""The workplan's proposal form: a refusal comes back beside the field it concerns, with
everything typed kept (the schema's and the plan's paths mapped to the form's fields)."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from liaison.kit.errors import LiaisonError, Message
from liaison.web.views.common import form_text
from liaison.web.views.forms import FormState, friendly

ACTION_FIELDS = ("area", "description", "deliverable", "milestone_title", "milestone_due", "note")


def typed(form: FormData, parties: list[str]) -> dict[str, str | list[str]]:
    """What the user typed in the action fields, to show again."""
    names = [*ACTION_FIELDS, *(f"lead_{party}" for party in parties)]
    return {name: form_text(form, name) for name in names}


def field_for(path: str) -> str | None:
    """``changes[0].action.milestones[0].due`` (or the same as a pydantic loc) → the
    form's ``milestone_due``; ``None`` for a path the form has no field for."""
    parts = [p for p in re.split(r"[.\[\]]+", path) if p and not p.isdigit()]
    if "milestones" in parts:
        return "milestone_title" if parts[-1] == "title" else "milestone_due"
    if "leads" in parts:
        after = parts[parts.index("leads") + 1 :]
        return f"lead_{after[0]}" if after else "description"
    for name, field in (("deliverables", "deliverable"), ("description", "description")):
        if name in parts:
            return field
    if parts and parts[-1] in ("area", "note"):
        return parts[-1]
    return None


def refusal(exc: ValidationError | LiaisonError, values: dict[str, Any]) -> FormState | None:
    """The form again with each error beside its field; ``None`` if none maps to a field
    (the error page then says what went wrong)."""
    errors: dict[str, Message] = {}  # the template translates and capitalises them
    if isinstance(exc, ValidationError):
        for error in exc.errors():
            path = ".".join(str(part) for part in error["loc"])
            name = field_for(path)
            if name:
                errors.setdefault(name, friendly(error))
        status = 422
    else:
        for field_error in exc.errors:
            name = field_for(field_error.field)
            if name:
                errors.setdefault(name, field_error.message)
        status = exc.status
    if not errors:
        return None
    return FormState(values=values, errors=errors, status=status)
