"""One typed error hierarchy. Each error has an HTTP status and a stable code.

Handlers in ``liaison.app`` render these as RFC 9457 problem details for the API
and as an error page for the web. The CLI prints ``str(error)`` on one line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class LiaisonError(Exception):
    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __init__(self, detail: str, *, errors: list[FieldError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []

    @classmethod
    def on_field(cls, field: str, message: str) -> Self:
        """An error about one input field, named so forms and clients can point at it."""
        return cls(f"{field}: {message}", errors=[FieldError(field, message)])


class ValidationFailed(LiaisonError):
    status = 422
    code = "validation_failed"
    title = "Validation failed"


class NotAuthenticated(LiaisonError):
    status = 401
    code = "not_authenticated"
    title = "Not authenticated"


class Forbidden(LiaisonError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


class NotFound(LiaisonError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(LiaisonError):
    status = 409
    code = "conflict"
    title = "Conflict"


class PayloadTooLarge(LiaisonError):
    status = 413
    code = "payload_too_large"
    title = "Payload too large"


class TooManyAttempts(LiaisonError):
    status = 429
    code = "too_many_attempts"
    title = "Too many attempts"

    def __init__(self, detail: str, *, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class InvalidEnvelope(LiaisonError):
    """A federation envelope or receipt that cannot be accepted; ``reason`` is a stable code."""

    status = 400
    code = "invalid_envelope"
    title = "Invalid envelope"

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason


class ConfigurationError(LiaisonError):
    status = 500
    code = "configuration_error"
    title = "Configuration error"


class ServiceUnavailable(LiaisonError):
    status = 503
    code = "service_unavailable"
    title = "Service unavailable"


@dataclass(frozen=True)
class BlockingRule:
    rule_id: str
    citation: str
    explanation: str


class PolicyBlocked(LiaisonError):
    """The policy engine blocked the item; ``rules`` name each rule with its citation."""

    status = 403
    code = "policy_blocked"
    title = "Blocked by policy"

    def __init__(self, detail: str, *, rules: list[BlockingRule]) -> None:
        super().__init__(detail)
        self.rules = rules
