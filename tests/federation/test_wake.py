"""On PostgreSQL, a commit that queued an envelope wakes the node's delivery workers in
other processes (a separate ``liaison worker`` behind several API processes), not only
the worker in the process that queued it; other nodes sharing the database stay asleep,
and a queue that is rolled back wakes no one."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from liaison.federation import control, wake
from liaison.kit.db import make_engine, unit_of_work
from tests.support.pair import AppNode

pytestmark = pytest.mark.parametrize("url_factory", ["postgresql"], indirect=True)

QUEUE_ELSEWHERE = """
import sys
from liaison.federation import control
from liaison.kit.db import make_engine, make_session_factory, unit_of_work
with unit_of_work(make_session_factory(make_engine(sys.argv[1]))) as db:
    control.ping(db, "IN", "queued by another process")
"""


@pytest.fixture
def listeners(pair: tuple[AppNode, AppNode]) -> Iterator[dict[str, threading.Event]]:
    """A listening worker's wake event per node, each on its own engine."""
    stop = threading.Event()
    woken: dict[str, threading.Event] = {}
    engines = []
    for node in pair:
        engine = make_engine(node.settings.effective_database_url)
        engines.append(engine)
        woken[node.settings.party] = threading.Event()
        listening = wake.start_listener(engine, woken[node.settings.party], stop)
        assert listening.wait(timeout=30), "the listener never started"
    yield woken
    stop.set()
    for engine in engines:
        engine.dispose()


def test_a_queue_in_another_process_wakes_this_nodes_worker_only(
    pair: tuple[AppNode, AppNode], listeners: dict[str, threading.Event]
) -> None:
    canada, _ = pair
    subprocess.run(
        [sys.executable, "-c", QUEUE_ELSEWHERE, canada.settings.effective_database_url],
        check=True,
        timeout=60,
    )
    assert listeners["CA"].wait(timeout=30)
    assert not listeners["IN"].is_set()  # India's worker shares the database, not the queue


def test_a_queue_rolled_back_wakes_no_one(
    pair: tuple[AppNode, AppNode], listeners: dict[str, threading.Event]
) -> None:
    canada, _ = pair
    with pytest.raises(RuntimeError):
        _queue_then_fail(canada)
    with unit_of_work(canada.factory) as db:  # a later commit does wake it, so it listens
        control.ping(db, "IN", "sent")
    assert listeners["CA"].wait(timeout=30)
    listeners["CA"].clear()
    assert not listeners["CA"].wait(timeout=1.0)  # exactly one wake: the rollback sent none


def _queue_then_fail(node: AppNode) -> None:
    with unit_of_work(node.factory) as db:
        control.ping(db, "IN", "never sent")
        raise RuntimeError("the officer's transaction fails after queueing")
