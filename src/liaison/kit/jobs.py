"""The one runner of every domain's periodic jobs, in ``serve`` and ``liaison worker`` alike.

Each job runs when due. A job that reports work is due again at once (so a backlog
drains without waiting its period); a failing job is logged and retried at its next
turn without stopping the others. Between passes the runner sleeps until the next
job is due, or until ``wake`` is set (the outbox sets it when something is queued),
which makes the jobs marked ``on_wake`` (delivery) due at once; a wake during a pass
runs them before the pass's next job.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import httpx
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.kit.db import unit_of_work
from liaison.kit.errors import LiaisonError
from liaison.kit.metrics import record_job_pass
from liaison.kit.plugin import Job, JobContext, JobRun

log = logging.getLogger("liaison.worker")
TRANSIENT = (SQLAlchemyError, LiaisonError, httpx.HTTPError, OSError)
# A pass this long may have held SQLite's one write lock long enough for officers' writes
# to time out ("database busy"): said in the log, with the job's name.
SLOW_PASS_SECONDS = 5.0


def in_transaction(step: Callable[[Session, Settings], object]) -> JobRun:
    """A job whose pass is one transaction (committed if it returns, rolled back if it
    raises); a pass that returns a count or a list reports that much work."""

    def run(context: JobContext) -> int:
        with unit_of_work(context.sessions) as db:
            done = step(db, context.settings)
        if isinstance(done, int):
            return done
        return len(done) if isinstance(done, list) else 0

    return run


class JobRunner:
    def __init__(self, context: JobContext, jobs: tuple[Job, ...] | None = None) -> None:
        self.context = context
        self.jobs = context.registry.jobs if jobs is None else jobs
        self.next_run: dict[str, float] = {}

    def run_due(self, wake: threading.Event | None = None) -> int:
        """Run every job that is due; returns how much work they reported. If ``wake``
        is set meanwhile, the jobs marked ``on_wake`` run before the next job (a queued
        envelope does not wait behind a long resolution or indexing pass)."""
        done = 0
        for job in self.jobs:
            if wake is not None and wake.is_set():
                wake.clear()
                done += self._run_woken()
            if self.next_run.get(job.name, 0.0) <= time.monotonic():
                done += self._run_scheduled(job)
        return done

    def _run_scheduled(self, job: Job) -> int:
        work = self._run(job)
        period = 0.0 if work else job.every(self.context.settings)
        self.next_run[job.name] = time.monotonic() + period
        return work

    def _run_woken(self) -> int:
        return sum(self._run_scheduled(job) for job in self.jobs if job.on_wake)

    def seconds_to_next(self) -> float:
        now = time.monotonic()
        due = [self.next_run.get(job.name, 0.0) - now for job in self.jobs]
        return max(0.0, min(due, default=self.context.settings.worker_poll_seconds))

    def run_until(self, stop: threading.Event, wake: threading.Event) -> None:
        while not stop.is_set():
            if self.run_due(wake):
                continue
            # a wake ends the wait; run_due then runs the on_wake jobs first
            wake.wait(
                timeout=min(self.seconds_to_next(), self.context.settings.worker_poll_seconds)
            )

    def _run(self, job: Job) -> int:
        started = time.perf_counter()
        try:
            work = job.run.target(self.context)
        except TRANSIENT as exc:
            log.warning("%s failed: %s", job.name, exc)
            record_job_pass(job.name, "failed", time.perf_counter() - started)
            return 0
        elapsed = time.perf_counter() - started
        record_job_pass(job.name, "worked" if work else "idle", elapsed)
        if elapsed > SLOW_PASS_SECONDS:
            log.warning("%s: one pass took %.1f s (%d done)", job.name, elapsed, work)
        return work
