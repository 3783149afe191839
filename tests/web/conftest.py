"""The exchange's node fixtures (India pinned, its agencies known, an inbox to apply to)."""

from tests.exchange.conftest import agencies, receive, settings

__all__ = ["agencies", "receive", "settings"]
