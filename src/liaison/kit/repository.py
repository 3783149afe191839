"""The base of every domain's repository: the caller, and queries already filtered for it.

A repository's ``_visible_*`` queries decide what its caller may read; every read goes
through one of them, so an id the caller may not see is simply not found (404, the
same answer as an id that does not exist: nothing leaks by the status code).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from liaison.kit.errors import NotFound, ValidationFailed
from liaison.kit.roles import Caller

T = TypeVar("T")
# Most repositories serve a signed-in caller; a few (the workplan's) also serve the node.
CallerT = TypeVar("CallerT", Caller, Caller | None)


def found(row: T | None, what: str) -> T:
    """``row``, or a 404 that names what was asked for (``what``: "agency 01…")."""
    if row is None:
        raise NotFound(f"no {what}")
    return row


def encode_cursor(*keys: str | int) -> str:
    """An opaque cursor for the page after the row with these sort keys."""
    return base64.urlsafe_b64encode(json.dumps(list(keys)).encode()).decode()


def decode_cursor(cursor: str, *, field: str = "cursor") -> list[Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        value = None
    if isinstance(value, list) and value and all(isinstance(v, str | int) for v in value):
        return value
    raise ValidationFailed.on_field(field, "not a cursor this server handed out")


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    items: list[T]
    next_cursor: str | None


class Repository(Generic[CallerT]):
    """Holds the session and the caller; subclasses add access-filtered queries."""

    def __init__(self, db: Session, caller: CallerT) -> None:
        self.db = db
        self.caller: CallerT = caller

    def one_or_404(self, query: Select[T], what: str) -> T:
        return found(self.db.scalar(query), what)

    def keyset(
        self,
        query: Select[T],
        key: InstrumentedAttribute[str],
        *,
        limit: int,
        cursor: str | None,
    ) -> KeysetPage[T]:
        """Newest first by ``key`` (a unique, time-sortable column such as a UUIDv7 id):
        one indexed query of ``limit + 1`` rows, however deep the page."""
        if cursor:
            query = query.where(key < decode_cursor(cursor)[0])
        rows = list(self.db.scalars(query.order_by(key.desc()).limit(limit + 1)))
        page = rows[:limit]
        more = len(rows) > limit and bool(page)
        following = encode_cursor(getattr(page[-1], key.key)) if more else None
        return KeysetPage(items=page, next_cursor=following)
