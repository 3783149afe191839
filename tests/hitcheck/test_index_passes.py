"""The indexing job's passes: a row committed late (below rows already indexed) is still
indexed, once; a small batch still moves on past rows already done and skips none."""

from __future__ import annotations

from sqlalchemy import delete, func, select

from liaison.hitcheck import index
from liaison.kit.db import unit_of_work
from liaison.models import HitcheckIndexEntry
from tests.hitcheck.test_two_nodes import _india_sends
from tests.support.pair import AppNode

PHONES = ["+91 98111 00001", "+91 98111 00002", "+91 98111 00003"]


def _pass(node: AppNode, limit: int = index.BATCH) -> int:
    with unit_of_work(node.factory) as db:
        return index.catch_up(db, node.settings, limit)


def _entries(node: AppNode) -> int:
    with unit_of_work(node.factory) as db:
        epoch = index.state(db).epoch
        query = select(func.count()).where(HitcheckIndexEntry.epoch == epoch)
        return int(db.scalar(query) or 0)


def test_late_rows_are_indexed_once_and_small_batches_skip_none(
    pair: tuple[AppNode, AppNode],
) -> None:
    _, india = pair
    _india_sends(india, [{"kind": "phone", "number": PHONES[0]}])
    while _pass(india):
        pass
    full = _entries(india)
    assert full >= 1

    # the newest row's tag as if its row had been committed after the pass read past it
    with unit_of_work(india.factory) as db:
        newest = db.scalar(select(func.max(HitcheckIndexEntry.entity_row)))
        db.execute(delete(HitcheckIndexEntry).where(HitcheckIndexEntry.entity_row == newest))
    assert _entries(india) < full
    assert _pass(india, limit=1) >= 1
    assert _entries(india) == full
    assert _pass(india) == 0  # nothing indexed twice

    # one row a pass, the rows already done inside the look-back not counted against it
    _india_sends(india, [{"kind": "phone", "number": p} for p in PHONES[1:]])
    passes = 0
    while _pass(india, limit=1):
        passes += 1
    assert passes == 2
    assert _entries(india) == full + 2
