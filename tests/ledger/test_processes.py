"""Two processes append to one chain at the same time (as two API workers would): every
entry lands once, in one unforked chain, and ``liaison audit verify`` accepts it.

The processes are forked (each makes its own engine after the fork), so each keeps its
own remembered chain head, which the other keeps making stale.
"""

from __future__ import annotations

import itertools
import multiprocessing
import multiprocessing.synchronize
from pathlib import Path

from sqlalchemy import select

from liaison.kit.db import make_engine, make_session_factory, unit_of_work
from liaison.ledger.service import record
from liaison.models import AuditEntry
from tests.ledger.test_tamper import verify_in_process

PER_PROCESS = 40
PROCESSES = 2


def _append(url: str, worker: int, start: multiprocessing.synchronize.Barrier) -> None:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    start.wait(timeout=60)
    for n in range(PER_PROCESS):
        with unit_of_work(factory) as db:
            record(
                db,
                actor=f"user:worker-{worker}",
                action="exchange.message.send",
                object_type="exchange.message",
                object_id=f"w{worker}-m{n}",
                detail={"n": n},
            )
            if n % 5 == 0:  # some transactions carry two entries
                record(
                    db,
                    actor=f"user:worker-{worker}",
                    action="exchange.message.read",
                    object_type="exchange.message",
                    object_id=f"w{worker}-m{n}",
                )
    engine.dispose()


def test_two_processes_appending_at_once_give_one_chain_verify_accepts(
    committed_url: str, tmp_path: Path
) -> None:
    context = multiprocessing.get_context("fork")
    start = context.Barrier(PROCESSES)
    workers = [
        context.Process(target=_append, args=(committed_url, w, start)) for w in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [process.exitcode for process in workers] == [0] * PROCESSES

    expected = PROCESSES * (PER_PROCESS + PER_PROCESS // 5)
    engine = make_engine(committed_url)
    with unit_of_work(make_session_factory(engine)) as db:
        rows = db.execute(
            select(AuditEntry.sequence, AuditEntry.object_id, AuditEntry.action).order_by(
                AuditEntry.sequence
            )
        ).all()
    engine.dispose()
    assert [row.sequence for row in rows] == list(range(1, expected + 1)), "no gap, no fork"
    sent = {row.object_id for row in rows if row.action == "exchange.message.send"}
    assert sent == {f"w{w}-m{n}" for w in range(PROCESSES) for n in range(PER_PROCESS)}
    writers = [row.object_id[:2] for row in rows]
    assert any(a != b for a, b in itertools.pairwise(writers)), "interleaved"

    result = verify_in_process(committed_url, tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"audit log OK: {expected} entries" in result.stdout
