"""The incremental resolution job: new messages' entities against existing clusters."""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.kit.jobs import in_transaction
from liaison.networks.resolve import resolve_pending


def _pending(db: Session, settings: Settings) -> int:
    return resolve_pending(db)


resolve_job = in_transaction(_pending)
