"""Audit HTTP API for administrators: the log (paged, filtered) and the chain check."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from liaison.api.deps import DbDep, SettingsDep
from liaison.ledger import repository
from liaison.ledger.schemas import AuditEntryOut, AuditPage, AuditQuery, CheckpointOut, VerifyOut
from liaison.ledger.verify import verify_chain
from liaison.users.deps import CallerDep

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])


@router.get("", response_model=AuditPage)
def list_entries(query: Annotated[AuditQuery, Query()], db: DbDep, caller: CallerDep) -> AuditPage:
    """Newest first; filters match exactly; page with ``before=<next_before>``."""
    repository.require_auditor(caller)
    rows, next_before = repository.page(db, query)
    return AuditPage(
        entries=[AuditEntryOut.model_validate(row) for row in rows], next_before=next_before
    )


@router.get("/verify", response_model=VerifyOut)
def verify(db: DbDep, caller: CallerDep, settings: SettingsDep) -> VerifyOut:
    """Recompute the whole chain and check this node's countersigned checkpoints."""
    repository.require_auditor(caller)
    return VerifyOut.of(verify_chain(db, settings.party))


@router.get("/checkpoints", response_model=list[CheckpointOut])
def checkpoints(db: DbDep, caller: CallerDep) -> list[CheckpointOut]:
    """This node's and its peers' checkpoints, newest first, with who countersigned."""
    repository.require_auditor(caller)
    return repository.checkpoints(db)
