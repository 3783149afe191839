"""Form state for templates: the user's input, and errors keyed by field name.

Views build a pydantic schema from the form and call the service inside ``attempt``
(or ``submit``, which also answers: a redirect, or the page again); a field error from
either comes back as a ``FormState`` to re-render (422, or 409 for a conflict),
keeping what the user typed. Errors that name no field (Forbidden, NotFound)
propagate to the error page. A view never commits or rolls back: a failed action's
writes are undone by its savepoint, and the request's unit of work commits the rest
(an audited refusal, for one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from liaison.kit.errors import LiaisonError, Message
from liaison.kit.validation import invalid_message
from liaison.web.views import once
from liaison.web.views.common import form_list, form_text, redirect_after_post

T = TypeVar("T")
FormValues = dict[str, str | list[str]]


@dataclass
class FormState:
    values: Mapping[str, str | list[str]] = field(default_factory=dict)
    errors: dict[str, Message] = field(default_factory=dict)  # shown with | translated
    message: Message | None = None  # a form-level message (e.g. a failed sign-in)
    status: int = 200

    def value(self, name: str) -> str:
        value = self.values.get(name, "")
        return value if isinstance(value, str) else ""

    def selected(self, name: str) -> list[str]:
        value = self.values.get(name, [])
        return [value] if isinstance(value, str) else list(value)

    @property
    def first_error(self) -> str | None:
        return next(iter(self.errors), None)


def read_values(form: FormData, fields: Sequence[str], lists: Sequence[str] = ()) -> FormValues:
    """Only the named fields: the csrf token and anything injected never reach a schema."""
    values: FormValues = {name: form_text(form, name) for name in fields}
    values |= {name: form_list(form, name) for name in lists}
    return values


def friendly(error: Mapping[str, Any]) -> Message:
    """A pydantic error as the message shown beside its field (``kit.validation``)."""
    return invalid_message(error)


def _field_errors(exc: ValidationError | LiaisonError) -> tuple[dict[str, Message], int]:
    if isinstance(exc, LiaisonError):
        if not exc.errors:
            raise exc
        return {e.field: e.message for e in exc.errors}, exc.status
    errors: dict[str, Message] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "form"
        errors.setdefault(name, friendly(error))
    return errors, 422


def attempt(db: Session, values: FormValues, action: Callable[[], T]) -> T | FormState:
    """Run ``action`` in a savepoint; on a field error, undo its flushes and return the
    form to re-render."""
    savepoint = db.begin_nested()
    try:
        result = action()
    except (ValidationError, LiaisonError) as exc:
        savepoint.rollback()
        errors, status = _field_errors(exc)
        return FormState(values=values, errors=errors, status=status)
    savepoint.commit()
    return result


Attempt = Callable[[Session, FormValues, Callable[[], T]], T | FormState]


def submit(
    request: Request,
    db: Session,
    values: FormValues,
    action: Callable[[], T],
    *,
    then: Callable[[T], str],
    again: Callable[[FormState], Response],
    run: Attempt[T] = attempt,
    guard: once.Guard | None = None,
) -> Response:
    """The one shape of a form post: run ``action`` (with ``attempt``, or a stricter
    ``run``); on field errors show the page ``again`` with them, else redirect (303,
    Post/Redirect/Get) to ``then(result)``. With a ``guard`` (a one-time submit token)
    a second submit of the form goes where the first one led, and creates nothing."""
    try:
        result = run(db, values, guard.wrap(action) if guard else action)
    except once.AlreadySubmitted as first:  # a double click
        return redirect_after_post(request, first.location)
    if isinstance(result, FormState):
        if guard is not None:
            guard.release()  # the corrected form may use its token again
        return again(result)
    location = then(result)
    if guard is not None:
        guard.done(location)
    return redirect_after_post(request, location)
