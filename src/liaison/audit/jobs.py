"""The audit and retention jobs the worker runs: checkpoints and the retention purge.

Each job runs in its own transaction when due; a failing job is logged and retried at
its next turn without stopping the worker (or delivery).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from liaison.audit import checkpoints
from liaison.config import Settings
from liaison.kit.db import unit_of_work
from liaison.kit.errors import LiaisonError
from liaison.retention import service as retention

log = logging.getLogger("liaison.worker.audit")
Job = Callable[[Session, Settings], object]


def _checkpoint(db: Session, settings: Settings) -> object:
    return checkpoints.create(db, settings) if checkpoints.due(db, settings) else None


def _purge(db: Session, settings: Settings) -> object:
    erased = retention.purge(db)
    if erased:
        log.info("retention purge erased %d objects", len(erased))
    return erased


class Schedule:
    """Runs each job at most once per its period; call ``run_due`` from the worker loop."""

    def __init__(self, factory: sessionmaker[Session], settings: Settings) -> None:
        self.factory = factory
        self.settings = settings
        check = min(5.0, settings.audit_checkpoint_minutes * 60 / 4)
        self.jobs: list[tuple[str, float, Job]] = [
            ("audit checkpoint", check, _checkpoint),
            ("retention purge", settings.retention_purge_minutes * 60, _purge),
        ]
        self.next_run: dict[str, float] = {}

    def add(self, name: str, period_seconds: float, job: Job) -> None:
        self.jobs.append((name, period_seconds, job))

    def run_due(self) -> None:
        now = time.monotonic()
        for name, period, job in self.jobs:
            if self.next_run.get(name, 0.0) > now:
                continue
            self.next_run[name] = now + period
            try:
                with unit_of_work(self.factory) as db:
                    job(db, self.settings)
            except (SQLAlchemyError, LiaisonError) as exc:
                log.warning("%s failed: %s", name, exc)
