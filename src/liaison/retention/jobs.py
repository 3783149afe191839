"""The retention job: erase what outlived its period (in batches, until none is left)."""

from __future__ import annotations

import logging

from liaison.kit.db import unit_of_work
from liaison.kit.plugin import JobContext
from liaison.retention import service

log = logging.getLogger("liaison.worker.retention")


def purge(context: JobContext) -> int:
    with unit_of_work(context.sessions) as db:
        erased = service.purge(db, context.registry.purge_rules)
    if erased:
        log.info("retention purge erased %d objects", len(erased))
    return len(erased)
