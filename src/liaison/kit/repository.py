"""The base of every domain's repository: the caller, and queries already filtered for it.

A repository's ``_visible_*`` queries decide what its caller may read; every read goes
through one of them, so an id the caller may not see is simply not found (404, the
same answer as an id that does not exist: nothing leaks by the status code).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from liaison.kit.errors import Message, NotFound, ValidationFailed
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller

T = TypeVar("T")
Q = TypeVar("Q", bound="Select[*tuple[Any, ...]]")
# Most repositories serve a signed-in caller; a few (the workplan's) also serve the node.
CallerT = TypeVar("CallerT", Caller, Caller | None)


def found(row: T | None, missing: Message) -> T:
    """``row``, or a 404 saying what is missing (``Text(N_("no agency %(id)s"), id=…)``)."""
    if row is None:
        raise NotFound(missing)
    return row


def encode_cursor(*keys: str) -> str:
    """An opaque cursor for the page after the row with these sort keys."""
    return base64.urlsafe_b64encode(json.dumps(list(keys)).encode()).decode()


def decode_cursor(cursor: str, *, field: str = "cursor") -> list[str]:
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeDecodeError):
        value = None
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    raise ValidationFailed.on_field(field, N_("not a cursor this server handed out"))


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    items: list[T]
    next_cursor: str | None


def keyset_window(
    query: Q, key: InstrumentedAttribute[str], *, limit: int, cursor: str | None
) -> Q:
    """Newest first by ``key`` (a unique, time-sortable column such as a UUIDv7 id),
    after ``cursor``, one row more than a page: one indexed query however deep."""
    if cursor:
        query = query.where(key < decode_cursor(cursor)[0])
    return query.order_by(key.desc()).limit(limit + 1)


def keyset_page(rows: Sequence[T], *, limit: int, key_of: Callable[[T], str]) -> KeysetPage[T]:
    """The page in ``rows`` (as ``keyset_window`` fetched them) and the next cursor."""
    page = list(rows[:limit])
    following = encode_cursor(key_of(page[-1])) if len(rows) > limit and page else None
    return KeysetPage(items=page, next_cursor=following)


class Repository(Generic[CallerT]):
    """Holds the session and the caller; subclasses add access-filtered queries."""

    def __init__(self, db: Session, caller: CallerT) -> None:
        self.db = db
        self.caller: CallerT = caller

    def one_or_404(self, query: Select[T], missing: Message) -> T:
        return found(self.db.scalar(query), missing)
