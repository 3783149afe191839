"""Refusals per source: junk posted to the inbox costs the sender, not the node.

A source (client address) whose requests keep being refused before any peer is
authenticated gets ``limit`` logged refusals per window; after that its requests are
answered ``429`` with a signed ``rate_limited`` receipt, without being read or logged
one by one. The node logs one summary row per source and window instead (written
when the source is next let through). State is per process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

from liaison.kit import clock

# Refused before any peer was authenticated: what junk and forgeries earn.
UNATTRIBUTED = frozenset(
    {
        "malformed",
        "too_large",
        "wrong_recipient",
        "unknown_sender",
        "unknown_key",
        "bad_signature",
        "key_expired",
    }
)


@dataclass
class _Window:
    started: datetime
    refused: int = 0
    suppressed: int = 0


@dataclass(frozen=True)
class Suppressed:
    source: str
    count: int
    since: datetime


class RefusalThrottle:
    def __init__(self, limit: int, window: timedelta = timedelta(minutes=1)) -> None:
        self.limit = limit
        self.window = window
        self._lock = threading.Lock()
        self._sources: dict[str, _Window] = {}

    def _current(self, source: str, now: datetime) -> tuple[_Window, Suppressed | None]:
        window = self._sources.get(source)
        finished: Suppressed | None = None
        if window is None or now - window.started >= self.window:
            if window is not None and window.suppressed:
                finished = Suppressed(source, window.suppressed, window.started)
            window = self._sources[source] = _Window(now)
        return window, finished

    def admit(self, source: str) -> tuple[bool, Suppressed | None]:
        """May this request be read? And a finished window's count to log, if any."""
        now = clock.now()
        with self._lock:
            if len(self._sources) > 10_000:  # forget quiet sources; bounded memory
                cutoff = now - self.window
                for key in [k for k, w in self._sources.items() if w.started < cutoff]:
                    del self._sources[key]
            window, finished = self._current(source, now)
            if window.refused >= self.limit:
                window.suppressed += 1
                return False, finished
            return True, finished

    def refused(self, source: str) -> None:
        with self._lock:
            window, _ = self._current(source, clock.now())
            window.refused += 1
