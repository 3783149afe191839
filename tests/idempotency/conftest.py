"""The exchange node fixtures (India pinned, both parties' agencies)."""

from tests.exchange.conftest import agencies, receive, settings  # noqa: F401
