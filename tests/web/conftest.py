"""The exchange's node fixtures: its settings (small attachment limit); India pinned and
its agencies known, and an inbox to apply to, come from tests/support/fixtures_exchange.py."""

from tests.exchange.conftest import settings

__all__ = ["settings"]
