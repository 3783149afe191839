"""The leak suite runs on the exchange tests' node: India's agencies present, India
pinned, inbound envelopes applied as the inbox would."""

from __future__ import annotations

from tests.exchange.conftest import agencies, receive, settings  # noqa: F401
