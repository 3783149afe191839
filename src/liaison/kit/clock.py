"""The one clock. Everything asks it for the time so tests can move it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """Current time, UTC, timezone-aware."""
    return _now()


def today() -> date:
    return now().date()


def set_clock(fn: Callable[[], datetime]) -> None:
    """Replace the clock (tests only)."""
    global _now
    _now = fn


def reset_clock() -> None:
    set_clock(lambda: datetime.now(UTC))


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; every stored datetime is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
