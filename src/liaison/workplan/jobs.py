"""The workplan's periodic job, run by the worker: sign and share version signatures."""

from __future__ import annotations

import logging
import time

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from liaison.config import Settings
from liaison.kit.db import unit_of_work
from liaison.kit.errors import LiaisonError
from liaison.workplan.federation import share_signatures

log = logging.getLogger("liaison.workplan")
INTERVAL_SECONDS = 2.0
_last_run = 0.0


def share_signatures_job(factory: sessionmaker[Session], settings: Settings) -> int:
    """At most every INTERVAL_SECONDS; returns how many signatures were queued."""
    global _last_run
    if time.monotonic() - _last_run < INTERVAL_SECONDS:
        return 0
    _last_run = time.monotonic()
    try:
        with unit_of_work(factory) as db:
            return share_signatures(db, settings)
    except (SQLAlchemyError, LiaisonError) as exc:
        log.warning("sharing workplan signatures failed: %s", exc)
        return 0
