"""How the suite is spread over pytest-xdist workers (``make test`` runs
``pytest -n 3 --dist loadgroup``; a plain ``pytest`` runs them all in one process).

Tests that share an expensive module- or session-scoped fixture (a live node, a seeded
node directory, the browser and its node) go to one worker as one group, in collection
order, so the fixture is made once; the rest are spread test by test. The slow groups
are queued first, so no worker is left with a long test at the end.
"""

from __future__ import annotations

import pytest

SHARED_SCOPES = {"module", "package", "class"}


def _group(item: pytest.Item) -> str | None:
    if item.get_closest_marker("browser"):
        return "browser"
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return None
    for definitions in info.name2fixturedefs.values():
        if definitions and definitions[-1].scope in SHARED_SCOPES:
            return item.nodeid.split("::")[0]
    return None


def _rank(item: pytest.Item) -> int:
    if item.get_closest_marker("browser"):
        return 0
    if item.get_closest_marker("live"):
        return 1
    return 2


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not hasattr(config, "workerinput"):  # not an xdist worker: run as collected
        return
    for item in items:
        group = _group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))
    items.sort(key=_rank)
