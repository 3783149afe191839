"""Retention for administrators and legal reviewers: deletion requests and their signed
certificates, legal holds, periods and tombstones (read-only; changes via API or CLI)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from liaison.api.deps import DbDep, RegistryDep, SettingsDep
from liaison.kit.roles import Caller
from liaison.models import DeletionRequest
from liaison.retention import deletion
from liaison.retention import service as retention
from liaison.web.views.common import PageCallerDep, render

router = APIRouter(prefix="/retention", include_in_schema=False)


def records_officer(caller: PageCallerDep) -> Caller:
    retention.require_records_officer(caller)
    return caller


RecordsDep = Annotated[Caller, Depends(records_officer)]


@dataclass(frozen=True)
class Shown:
    row: DeletionRequest
    certificate: dict[str, Any] | None
    valid: bool


@router.get("")
def retention_page(
    request: Request, db: DbDep, caller: RecordsDep, settings: SettingsDep, registry: RegistryDep
) -> Response:
    shown = [
        Shown(
            row=row,
            certificate=json.loads(row.certificate) if row.certificate else None,
            valid=deletion.stored_certificate_valid(db, settings.party, row),
        )
        for row in deletion.requests(db)
    ]
    return render(
        request,
        "retention.html",
        caller=caller,
        requests=shown,
        holds=retention.holds(db),
        periods=retention.periods(db),
        categories=retention.categories(registry.purge_rules),
        tombstones=retention.tombstones(db, limit=50),
    )
