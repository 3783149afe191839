"""The incremental resolution job: new messages' entities against existing clusters,
and the records of erased messages forgotten."""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.kit.jobs import in_transaction
from liaison.networks.resolve import resolve_pending, sweep_erased


def _pending(db: Session, settings: Settings) -> int:
    return sweep_erased(db) + resolve_pending(db)


resolve_job = in_transaction(_pending)
