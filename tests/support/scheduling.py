"""How the suite is spread over pytest-xdist workers (``make test`` runs
``pytest -n 3 --dist loadfile --no-loadscope-reorder``; a plain ``pytest`` runs them all
in one process, in collection order).

Each test file goes to one worker, whole and in order, so a module-scoped fixture (a live
node, a seeded node directory, India's node for the browser tests) is made once. On the
workers, the files with browser tests and then those with live-node tests are queued
first (with the files marked ``slow``), so no worker is left with a long live test at the
end while the others idle.
(``--dist loadgroup`` would group across files, but pytest-xdist 3.8 cannot rename
pytest 9.2's node ids, so its groups are silently ignored.)
"""

from __future__ import annotations

import pytest


def _rank(item: pytest.Item) -> int:
    if item.get_closest_marker("browser"):
        return 0
    if item.get_closest_marker("live") or item.get_closest_marker("slow"):
        return 1
    return 2


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not hasattr(config, "workerinput"):  # not an xdist worker: run as collected
        return
    first_rank: dict[str, int] = {}
    for item in items:
        path = item.nodeid.split("::")[0]
        first_rank[path] = min(first_rank.get(path, 2), _rank(item))
    # stable: a file's tests keep their order, and files of one rank theirs
    items.sort(key=lambda item: first_rank[item.nodeid.split("::")[0]])
