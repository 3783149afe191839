"""Which message types a node accepts, and the function that applies each one.

Domains register their handlers at import; the inbox looks them up. A handler
validates its payload (pydantic) and applies it with the given session; it flushes,
never commits. Raising ``PayloadRefused`` refuses the envelope with a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from liaison.config import Settings


@dataclass(frozen=True)
class InboundContext:
    settings: Settings
    sender_party: str
    sender_node: str
    envelope_id: str
    seq: int


Handler = Callable[[Session, InboundContext, dict[str, Any]], None]

_handlers: dict[str, Handler] = {}


class PayloadRefused(Exception):
    """A well-formed, authenticated envelope whose content this node will not apply."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def register(message_type: str) -> Callable[[Handler], Handler]:
    def decorate(handler: Handler) -> Handler:
        if message_type in _handlers:
            raise RuntimeError(f"two handlers for {message_type}")
        _handlers[message_type] = handler
        return handler

    return decorate


def handler_for(message_type: str) -> Handler | None:
    return _handlers.get(message_type)


def known_types() -> list[str]:
    return sorted(_handlers)
