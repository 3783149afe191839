"""One-time submit tokens: a form that creates something is sent at most once.

Each render of such a form carries a fresh ``submit_token`` (hidden field). The POST
claims it in its own transaction (an ``idempotency_keys`` row, channel ``web``) and
records where it led; a second POST of the same token — a double click, a resent
form after a timeout, the back button — redirects to that first result instead of
creating again. A POST that fails (form errors) rolls its claim back with everything
else, so the corrected form can be sent with the same token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import inspect
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from liaison.idempotency import store
from liaison.kit.errors import ValidationFailed
from liaison.kit.ids import new_id
from liaison.kit.roles import Caller
from liaison.models import IdempotencyKey

FIELD = "submit_token"
T = TypeVar("T")


class AlreadySubmitted(Exception):
    """This token was used: ``location`` is where the first submit led."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


def token_for(form: FormData | None) -> str:
    """The token to render: the one submitted (a re-rendered form keeps it) or a new one."""
    submitted = form.get(FIELD) if form is not None else None
    if isinstance(submitted, str) and submitted:
        try:
            return store.check_key(submitted, FIELD)
        except ValidationFailed:
            pass
    return new_id()


def claim(db: Session, caller: Caller, form: FormData, path: str) -> IdempotencyKey | None:
    """Claim the form's token for this transaction (None if the form carries none).

    Raises AlreadySubmitted if a committed submit used it already.
    """
    token = form.get(FIELD)
    if not isinstance(token, str) or not token:
        return None
    row, fresh = store.claim(
        db,
        principal=f"user:{caller.user_id}",
        channel="web",
        key=store.check_key(token, FIELD),
        request_fingerprint=store.fingerprint("POST", path),
        method="POST",
        path=path,
    )
    if not fresh:
        raise AlreadySubmitted(row.location or path)
    return row


def done(db: Session, row: IdempotencyKey | None, location: str) -> None:
    """Record where the first submit led, in its transaction."""
    if row is not None:
        row.location = location[:500]
        db.flush()


class Guard:
    """One form submit: ``wrap`` the action so it claims the token first (inside the
    form's error handling, so a refused form frees it), then ``done`` with where it led."""

    def __init__(self, db: Session, caller: Caller, form: FormData, path: str) -> None:
        self.db = db
        self.caller = caller
        self.form = form
        self.path = path
        self.row: IdempotencyKey | None = None

    def wrap(self, action: Callable[[], T]) -> Callable[[], T]:
        def run() -> T:
            self.row = claim(self.db, self.caller, self.form, self.path)
            return action()

        return run

    def done(self, location: str) -> None:
        done(self.db, self.row, location)

    def release(self) -> None:
        """Nothing was sent (a form error, a policy block kept for the audit trail):
        the token is free again for the corrected form."""
        if self.row is not None and inspect(self.row).persistent:  # not rolled back already
            self.db.delete(self.row)
            self.db.flush()
        self.row = None
