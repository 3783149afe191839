"""Time zones people read times in: a stored UTC time shown in a named zone with the zone's
abbreviation (``2026-02-10 10:00 IST``). Pages use it through ``web.times``; texts written
for one reader (notifications, e-mails) call it with the reader's zone."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from liaison.kit import clock

DISPLAY = "%Y-%m-%d %H:%M"


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    """The zone called ``name``; UTC if no such zone is known."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def zoned_text(value: datetime, zone_name: str) -> str:
    """``2026-02-10 10:00 IST``: ``value`` (UTC, or naive meaning UTC) in ``zone_name``."""
    shown = clock.as_utc(value).astimezone(zone(zone_name))
    abbreviation = shown.strftime("%Z")
    if abbreviation.startswith(("+", "-")):  # zones with no abbreviation: show the offset
        abbreviation = "UTC" + abbreviation
    return f"{shown.strftime(DISPLAY)} {abbreviation}"
