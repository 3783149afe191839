"""A Canadian node with a small attachment limit and a clock to move; India's agencies and
``receive`` come from tests/support/fixtures_exchange.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from liaison.config import Settings
from liaison.kit import clock
from tests.exchange.payloads import SMALL_ATTACHMENT_LIMIT, T0


@pytest.fixture
def at() -> Iterator[list[datetime]]:
    """The node's clock, starting at T0; set ``at[0]`` to move it."""
    now = [T0]
    clock.set_clock(lambda: now[0])
    yield now
    clock.reset_clock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    node = Settings(
        party="CA",
        node_name="liaison-ca",
        data_dir=tmp_path / "node",
        exchange_max_attachment_bytes=SMALL_ATTACHMENT_LIMIT,
    )
    node.ensure_secret_key()
    return node
