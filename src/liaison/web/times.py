"""Times as people read and type them: in the reader's zone, with the zone named, UTC on hover.

Every stored time is UTC. A page shows it with the ``when`` filter (``<time>`` in the
reader's zone, e.g. ``2026-02-10 10:00 IST``, UTC in its ``title``), a deadline with
``deadline`` (the same plus "due in 5 h" / "overdue by 2 d"); a form reads what a user
typed with ``parse_local`` (a ``datetime-local`` value is in the user's zone).
"""

from __future__ import annotations

from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import available_timezones

from markupsafe import Markup, escape

from liaison.kit import clock
from liaison.kit.zones import zone, zoned_text
from liaison.web.i18n import gettext_

# The zone of whoever the page being rendered is for; ``render`` sets it per page.
READER_ZONE: ContextVar[str] = ContextVar("reader_zone", default="UTC")

UTC_DISPLAY = "%Y-%m-%d %H:%M UTC"


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone a user may choose, sorted (``Area/City`` names and UTC)."""
    names = {
        name
        for name in available_timezones()
        if "/" in name and not name.startswith(("Etc/", "posix/", "right/", "SystemV/"))
    }
    return ("UTC", *sorted(names))


def is_zone(name: str) -> bool:
    return name in zone_names()


def local(value: datetime, zone_name: str | None = None) -> datetime:
    """``value`` (UTC, or naive meaning UTC) in the reader's zone (or ``zone_name``)."""
    return clock.as_utc(value).astimezone(zone(zone_name or READER_ZONE.get()))


def local_text(value: datetime, zone_name: str | None = None) -> str:
    """``2026-02-10 10:00 IST``: the time in the reader's zone, with its abbreviation."""
    return zoned_text(value, zone_name or READER_ZONE.get())


def when(value: datetime | date | str | None) -> Markup:
    """A ``<time>`` element: the reader's zone as text, UTC on hover and in ``datetime``.

    An ISO 8601 string (a signed certificate's time, say) is read first; text that is not
    a time is shown as it is."""
    if value is None or value == "":
        return Markup("")
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return Markup("{}").format(value)
    if not isinstance(value, datetime):
        return Markup('<time datetime="{0}">{0}</time>').format(value.isoformat())
    utc = clock.as_utc(value).astimezone(UTC)
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        utc.strftime("%Y-%m-%dT%H:%M:%SZ"), utc.strftime(UTC_DISPLAY), local_text(utc)
    )


def _span(seconds: float) -> str:
    seconds = abs(seconds)
    if seconds < 3600:
        return gettext_("%(n)s min") % {"n": max(int(seconds // 60), 1)}
    if seconds < 2 * 86400:
        return gettext_("%(n)s h") % {"n": int(seconds // 3600)}
    return gettext_("%(n)s d") % {"n": int(seconds // 86400)}


def _left(deadline: datetime, now: datetime | None = None) -> float:
    return (clock.as_utc(deadline) - (now or clock.now())).total_seconds()


def relative(deadline: datetime | None, now: datetime | None = None) -> str:
    """``due in 5 h``, ``due in 12 min``, ``overdue by 2 d`` (in the page's language);
    empty for no deadline."""
    if deadline is None:
        return ""
    left = _left(deadline, now)
    message = gettext_("due in %(span)s") if left >= 0 else gettext_("overdue by %(span)s")
    return message % {"span": _span(left)}


def deadline(value: datetime | None) -> Markup:
    """A deadline as people need it: when, in their zone, and how long is left."""
    if value is None:
        return Markup("")
    now = clock.now()
    left = _left(value, now)
    text = relative(value, now)
    state = "overdue" if left < 0 else "due"
    return Markup('{} <span class="relative relative--{}">({})</span>').format(
        when(value), state, escape(text)
    )


def parse_local(text: str, zone_name: str) -> datetime | None:
    """What a user typed (``2026-02-10T10:00``) read in their zone, as UTC.

    A value that names its own offset (``…Z``, ``…+05:30``) keeps it. ``None`` if the
    text is not a date and time, so the form's validation can say so beside the field.
    """
    cleaned = text.strip().replace(" ", "T", 1)
    if not cleaned:
        return None
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone(zone_name))
    return parsed.astimezone(UTC)


def input_value(value: datetime | None, zone_name: str | None = None) -> str:
    """A stored time as a ``datetime-local`` field shows it: in the reader's zone."""
    return local(value, zone_name).strftime("%Y-%m-%dT%H:%M") if value else ""


def zone_label(zone_name: str | None = None) -> str:
    """``Asia/Kolkata (IST)``: the reader's zone, for form hints."""
    name = zone_name or READER_ZONE.get()
    abbreviation = clock.now().astimezone(zone(name)).strftime("%Z")
    return name if abbreviation in ("", name) else f"{name} ({abbreviation})"
