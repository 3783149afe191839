"""Retention HTTP API: periods, legal holds, tombstones, purge, deletion requests.

Administrators and legal reviewers only (``retention.require_records_officer``).
"""

from __future__ import annotations

from fastapi import APIRouter, status

from liaison.api.deps import DbDep, RegistryDep, SettingsDep
from liaison.kit.inputs import IdPath
from liaison.retention import deletion
from liaison.retention import service as retention
from liaison.retention.deletion import DeletionRequestIn
from liaison.retention.schemas import (
    DeletionOut,
    HoldIn,
    HoldOut,
    PeriodIn,
    PeriodOut,
    PurgeOut,
    TombstoneOut,
)
from liaison.users.deps import CallerDep

router = APIRouter(prefix="/api/v1/retention", tags=["retention"])


@router.get("/periods", response_model=list[PeriodOut])
def list_periods(db: DbDep, caller: CallerDep) -> list[PeriodOut]:
    retention.require_records_officer(caller)
    return [PeriodOut.model_validate(row) for row in retention.periods(db)]


@router.put("/periods", response_model=PeriodOut)
def set_period(data: PeriodIn, db: DbDep, caller: CallerDep, registry: RegistryDep) -> PeriodOut:
    """How long data of one category that ``party_code`` originated is kept here."""
    row = retention.set_period(
        db, registry.purge_rules, caller, data.party_code, data.category, data.days
    )
    return PeriodOut.model_validate(row)


@router.get("/holds", response_model=list[HoldOut])
def list_holds(db: DbDep, caller: CallerDep) -> list[HoldOut]:
    retention.require_records_officer(caller)
    return [HoldOut.model_validate(row) for row in retention.holds(db)]


@router.post("/holds", response_model=HoldOut, status_code=status.HTTP_201_CREATED)
def place_hold(data: HoldIn, db: DbDep, caller: CallerDep, registry: RegistryDep) -> HoldOut:
    """Suspend purge and deletion of one object."""
    rules = registry.purge_rules
    hold = retention.place_hold(db, rules, caller, data.object_type, data.object_id, data.reason)
    return HoldOut.model_validate(hold)


@router.post("/holds/{hold_id}/release", response_model=HoldOut)
def release_hold(
    hold_id: IdPath, db: DbDep, caller: CallerDep, settings: SettingsDep, registry: RegistryDep
) -> HoldOut:
    """Release a hold; deletion requests that waited on it are answered now."""
    released = deletion.release_hold(db, settings, registry.purge_rules, caller, hold_id)
    return HoldOut.model_validate(released)


@router.get("/tombstones", response_model=list[TombstoneOut])
def list_tombstones(db: DbDep, caller: CallerDep) -> list[TombstoneOut]:
    retention.require_records_officer(caller)
    return [TombstoneOut.model_validate(row) for row in retention.tombstones(db)]


@router.post("/purge", response_model=PurgeOut)
def purge_now(db: DbDep, caller: CallerDep, registry: RegistryDep) -> PurgeOut:
    """Run the purge job now (the worker runs it periodically)."""
    retention.require_records_officer(caller)
    erased = retention.purge(db, registry.purge_rules)
    return PurgeOut(erased=[TombstoneOut.model_validate(t) for t in erased])


@router.get("/deletion-requests", response_model=list[DeletionOut])
def list_deletions(db: DbDep, caller: CallerDep, settings: SettingsDep) -> list[DeletionOut]:
    """Requests sent and received, with certificates (signatures re-checked now)."""
    retention.require_records_officer(caller)
    return [
        DeletionOut.of(row, deletion.stored_certificate_valid(db, settings.party, row))
        for row in deletion.requests(db)
    ]


@router.post("/deletion-requests", response_model=DeletionOut, status_code=status.HTTP_201_CREATED)
def request_deletion(
    data: DeletionRequestIn,
    db: DbDep,
    caller: CallerDep,
    settings: SettingsDep,
    registry: RegistryDep,
) -> DeletionOut:
    """Ask a peer to erase something this node originated; its certificate comes back."""
    row = deletion.request_deletion(db, settings, registry.purge_rules, caller, data)
    return DeletionOut.of(row, False)
