"""The fixtures live in tests/support (pytest plugins, registered here); test folders
mirror src/liaison, plus tests/e2e (browser) and tests/federation (live nodes)."""

from __future__ import annotations

pytest_plugins = [
    "tests.support.fixtures_db",
    "tests.support.fixtures_live",
    "tests.support.live_trio",
    "tests.support.fixtures_browser",
    "tests.support.fixtures_exchange",
    "tests.support.scheduling",
]
