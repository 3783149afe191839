"""Retention for administrators and legal reviewers: deletion requests and their signed
certificates, legal holds, periods and tombstones; place and release legal holds and ask
the peer to erase a record from here (periods and purge: API or CLI)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from liaison.api.deps import DbDep, RegistryDep, SettingsDep
from liaison.config import Settings
from liaison.federation import peers
from liaison.kit.errors import NotFound
from liaison.kit.inputs import IdPath
from liaison.kit.plugin import Registry
from liaison.kit.roles import Caller
from liaison.kit.words import humanize
from liaison.models import DeletionRequest
from liaison.retention import deletion
from liaison.retention import service as retention
from liaison.retention.schemas import HoldIn
from liaison.web.views.common import (
    CsrfFormDep,
    PageCallerDep,
    redirect_after_post,
    render,
)
from liaison.web.views.forms import FormState, FormValues, attempt, read_values

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
    return _page(request, db, caller, settings, registry)


def _page(
    request: Request,
    db: Session,
    caller: Caller,
    settings: Settings,
    registry: Registry,
    forms: dict[str, FormState] | None = None,
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
        peers=[peer.party_code for peer in peers.list_peers(db)],
        peer_options=[(peer.party_code, peer.party_code) for peer in peers.list_peers(db)],
        record_kinds=[(kind, humanize(kind.replace(".", " "))) for kind in registry.purge_rules],
        forms={"hold": FormState(), "deletion": FormState()} | (forms or {}),
        done=request.query_params.get("done", ""),
        status=max((form.status for form in (forms or {}).values()), default=200),
    )


def _run(db: Session, values: FormValues, action: Callable[[], object]) -> object | FormState:
    """``attempt``, and "no such record here" said beside the record's id."""
    try:
        return attempt(db, values, action)
    except NotFound as exc:
        return FormState(values=values, errors={"object_id": exc.detail}, status=422)


@router.post("/holds")
def place_hold(
    request: Request,
    db: DbDep,
    caller: RecordsDep,
    settings: SettingsDep,
    registry: RegistryDep,
    form: CsrfFormDep,
) -> Response:
    values = read_values(form, ("object_type", "object_id", "reason"))
    result = _run(
        db,
        values,
        lambda: retention.place_hold(
            db, registry.purge_rules, caller, **HoldIn.model_validate(values).model_dump()
        ),
    )
    if isinstance(result, FormState):
        return _page(request, db, caller, settings, registry, {"hold": result})
    return redirect_after_post(request, "/retention?done=hold#holds-title")


@router.post("/holds/{hold_id}/release")
def release_hold(
    request: Request,
    hold_id: IdPath,
    db: DbDep,
    caller: RecordsDep,
    settings: SettingsDep,
    registry: RegistryDep,
    form: CsrfFormDep,
) -> Response:
    deletion.release_hold(db, settings, registry.purge_rules, caller, hold_id)
    return redirect_after_post(request, "/retention?done=released#holds-title")


@router.post("/deletion-requests")
def request_deletion(
    request: Request,
    db: DbDep,
    caller: RecordsDep,
    settings: SettingsDep,
    registry: RegistryDep,
    form: CsrfFormDep,
) -> Response:
    values = read_values(form, ("peer_party", "object_type", "object_id", "reason"))
    result = _run(
        db,
        values,
        lambda: deletion.request_deletion(
            db,
            settings,
            registry.purge_rules,
            caller,
            deletion.DeletionRequestIn.model_validate(values),
        ),
    )
    if isinstance(result, FormState):
        return _page(request, db, caller, settings, registry, {"deletion": result})
    return redirect_after_post(request, "/retention?done=requested#requests-title")
