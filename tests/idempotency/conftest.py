"""The exchange node fixtures (India pinned, both parties' agencies: tests/support)."""

from tests.exchange.conftest import settings  # noqa: F401
