"""The audit's periodic job: sign a checkpoint of the chain when one is due."""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.audit import checkpoints
from liaison.config import Settings
from liaison.kit.jobs import in_transaction


def _checkpoint(db: Session, settings: Settings) -> int:
    if checkpoints.due(db, settings):
        checkpoints.create(db, settings)
    return 0  # one checkpoint a period is enough: never due again at once


checkpoint = in_transaction(_checkpoint)
