"""One typed error hierarchy. Each error has an HTTP status and a stable code.

Handlers in ``liaison.app`` render these as RFC 9457 problem details for the API
and as an error page for the web. The CLI and the logs use ``str(error)``: English.

What a person reads (``detail``, ``FieldError.message``) is a ``Text`` or a message id
marked ``N_``, rendered at the boundary in the reader's language (the web: the signed-in
user's; the API: ``Accept-Language``); a plain ``str`` that is no message id is shown as
it is. Values go in placeholders, ``Text(N_("no such agency: %(id)s"), id=agency_id)``,
never in an f-string. ``code`` and ``title`` are stable machine values: the API keeps
``title`` in English (clients may key on it, like ``code``); the web's error page shows
it translated (the titles are marked ``N_`` for that).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from liaison.kit.i18n import DEFAULT, Text, as_text, localized
from liaison.kit.plugin import N_

Message = str | Text


@dataclass(frozen=True)
class FieldError:
    field: str
    message: Message


class LiaisonError(Exception):
    status: int = 400
    code: str = "bad_request"
    title: str = N_("Bad request")

    def __init__(self, detail: Message, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(localized(detail, DEFAULT))
        self.detail = detail
        self.errors = errors or []

    @classmethod
    def on_field(cls, field: str, message: Message) -> Self:
        """An error about one input field, named so forms and clients can point at it."""
        detail = Text(N_("%(field)s: %(message)s"), field=field, message=as_text(message))
        return cls(detail, errors=[FieldError(field, message)])


def summary(errors: list[FieldError]) -> Text:
    """``field: message; field: message``, each message in the reader's language."""
    said = N_("%(field)s: %(message)s")
    parts = {
        f"part{n}": Text(said, field=e.field, message=as_text(e.message))
        for n, e in enumerate(errors)
    }
    return Text("; ".join(f"%({name})s" for name in parts), **parts)


class ValidationFailed(LiaisonError):
    status = 422
    code = "validation_failed"
    title = N_("Validation failed")


class NotAuthenticated(LiaisonError):
    status = 401
    code = "not_authenticated"
    title = N_("Not authenticated")


class Forbidden(LiaisonError):
    status = 403
    code = "forbidden"
    title = N_("Forbidden")


class NotFound(LiaisonError):
    status = 404
    code = "not_found"
    title = N_("Not found")


class Conflict(LiaisonError):
    status = 409
    code = "conflict"
    title = N_("Conflict")


class PayloadTooLarge(LiaisonError):
    status = 413
    code = "payload_too_large"
    title = N_("Payload too large")


class TooManyAttempts(LiaisonError):
    status = 429
    code = "too_many_attempts"
    title = N_("Too many attempts")

    def __init__(self, detail: Message, *, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class InvalidEnvelope(LiaisonError):
    """A federation envelope or receipt that cannot be accepted; ``reason`` is a stable code.
    Its ``detail`` stays English: a protocol refusal read by the peer node's operators."""

    status = 400
    code = "invalid_envelope"
    title = N_("Invalid envelope")

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.detail: str = detail
        self.reason = reason


class ConfigurationError(LiaisonError):
    status = 500
    code = "configuration_error"
    title = N_("Configuration error")


class ServiceUnavailable(LiaisonError):
    status = 503
    code = "service_unavailable"
    title = N_("Service unavailable")


@dataclass(frozen=True)
class BlockingRule:
    rule_id: str
    citation: str
    explanation: str


class PolicyBlocked(LiaisonError):
    """The policy engine blocked the item; ``rules`` name each rule with its citation."""

    status = 403
    code = "policy_blocked"
    title = N_("Blocked by policy")

    def __init__(self, detail: Message, *, rules: list[BlockingRule]) -> None:
        super().__init__(detail)
        self.rules = rules
