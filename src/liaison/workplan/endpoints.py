"""Workplan API under /api/v1/workplan. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import Response

from liaison.api.deps import DbDep, RegistryDep, SettingsDep
from liaison.kit.inputs import IdPath
from liaison.users.deps import CallerDep
from liaison.workplan import consent, versions
from liaison.workplan.dashboard import DashboardOut, build_dashboard
from liaison.workplan.document import diff, parse
from liaison.workplan.report import MEDIA_TYPES, build_for, render_report
from liaison.workplan.repository import WorkplanRepository
from liaison.workplan.schemas import (
    CounterCreate,
    DiffEntry,
    PlanDocument,
    ProgressCreate,
    ProgressOut,
    ProposalCreate,
    ProposalOut,
    RejectCreate,
    SignatureOut,
    VersionOut,
    VersionSummary,
)
from liaison.workplan.service import WorkplanService

router = APIRouter(prefix="/api/v1/workplan", tags=["workplan"])
VersionPath = Annotated[int, Path(ge=1, le=1_000_000)]


def version_out(repo: WorkplanRepository, own_party: str, number: int) -> VersionOut:
    version = repo.version(number)
    assert version is not None
    signatures = [
        SignatureOut(
            party_code=s.party_code,
            key_id=s.key_id,
            signature=s.signature,
            verified=consent.verify(repo.db, own_party, s, version.sha256),
        )
        for s in repo.signatures(number)
    ]
    summary = VersionSummary.model_validate(version).model_dump()
    document = parse(version.document)
    signed = {s.party_code for s in signatures}
    return VersionOut(
        **summary,
        document=document,
        signatures=signatures,
        unsigned=[party for party in document.parties if party not in signed],
    )


@router.get("", response_model=VersionOut, summary="The current workplan (latest accepted version)")
def current(db: DbDep, caller: CallerDep, settings: SettingsDep) -> VersionOut:
    repo = WorkplanRepository(db, caller)
    return version_out(repo, settings.party, versions.current_or_fail(repo).number)


@router.post(
    "/adopt",
    response_model=VersionSummary,
    status_code=status.HTTP_201_CREATED,
    summary="Adopt version 1 of a plan agreed by its parties (administrators; a node without one)",
)
def adopt(
    document: PlanDocument, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> VersionSummary:
    """Every party's node adopts the same document; the nodes then exchange signatures."""
    return VersionSummary.model_validate(WorkplanService(db, caller, settings).adopt(document))


@router.get("/versions", response_model=list[VersionSummary])
def list_versions(db: DbDep, caller: CallerDep) -> list[VersionSummary]:
    return [VersionSummary.model_validate(v) for v in WorkplanRepository(db, caller).versions()]


@router.get("/versions/{number}", response_model=VersionOut)
def get_version(
    number: VersionPath, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> VersionOut:
    WorkplanService(db, caller, settings).get_version(number)
    return version_out(WorkplanRepository(db, caller), settings.party, number)


@router.put("/versions/{number}", responses={409: {"description": "versions are immutable"}})
@router.patch("/versions/{number}", responses={409: {"description": "versions are immutable"}})
def edit_version(number: VersionPath, db: DbDep, caller: CallerDep, settings: SettingsDep) -> None:
    """Always refused: an accepted version never changes. Propose a change instead."""
    WorkplanService(db, caller, settings).edit_version(number)


@router.get("/versions/{number}/diff", response_model=list[DiffEntry])
def version_diff(
    number: VersionPath,
    db: DbDep,
    caller: CallerDep,
    settings: SettingsDep,
    against: Annotated[
        int | None, Query(ge=1, le=1_000_000, description="default: the previous version")
    ] = None,
) -> list[DiffEntry]:
    service = WorkplanService(db, caller, settings)
    new = service.get_version(number)
    old = service.get_version(against if against is not None else max(number - 1, 1))
    return diff(parse(old.document), parse(new.document))


@router.get("/proposals", response_model=list[ProposalOut])
def list_proposals(db: DbDep, caller: CallerDep) -> list[ProposalOut]:
    return [ProposalOut.model_validate(p) for p in WorkplanRepository(db, caller).proposals()]


@router.post("/proposals", response_model=ProposalOut, status_code=status.HTTP_201_CREATED)
def propose(
    data: ProposalCreate, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> ProposalOut:
    return ProposalOut.model_validate(WorkplanService(db, caller, settings).propose(data))


@router.get("/proposals/{proposal_id}", response_model=ProposalOut)
def get_proposal(
    proposal_id: IdPath, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> ProposalOut:
    return ProposalOut.model_validate(
        WorkplanService(db, caller, settings).get_proposal(proposal_id)
    )


@router.post("/proposals/{proposal_id}/accept", response_model=VersionSummary)
def accept(
    proposal_id: IdPath, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> VersionSummary:
    version = WorkplanService(db, caller, settings).accept(proposal_id)
    return VersionSummary.model_validate(version)


@router.post(
    "/proposals/{proposal_id}/counter",
    response_model=ProposalOut,
    status_code=status.HTTP_201_CREATED,
)
def counter(
    proposal_id: IdPath, data: CounterCreate, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> ProposalOut:
    return ProposalOut.model_validate(
        WorkplanService(db, caller, settings).counter(proposal_id, data)
    )


@router.post("/proposals/{proposal_id}/reject", response_model=ProposalOut)
def reject(
    proposal_id: IdPath, data: RejectCreate, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> ProposalOut:
    return ProposalOut.model_validate(
        WorkplanService(db, caller, settings).reject(proposal_id, data)
    )


@router.post(
    "/actions/{action_id}/progress", response_model=ProgressOut, status_code=status.HTTP_201_CREATED
)
def report_progress(
    action_id: IdPath, data: ProgressCreate, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> ProgressOut:
    update = WorkplanService(db, caller, settings).report_progress(action_id, data)
    return ProgressOut.model_validate(update)


@router.get("/dashboard", response_model=DashboardOut)
def dashboard(db: DbDep, caller: CallerDep, registry: RegistryDep) -> DashboardOut:
    return build_dashboard(db, registry.figure("exchange"))


@router.get("/report", summary="The joint (default) or internal progress report")
def report(
    db: DbDep,
    caller: CallerDep,
    settings: SettingsDep,
    registry: RegistryDep,
    format: Literal["html", "pdf", "md"] = "html",
    internal: bool = False,
) -> Response:
    data = build_for(db, settings.party, registry, internal=internal)
    body = render_report(data, format)
    filename = f"workplan-report-{data.generated_on.isoformat()}.{format}"
    disposition = "inline" if format == "html" else f'attachment; filename="{filename}"'
    return Response(
        body, media_type=MEDIA_TYPES[format], headers={"Content-Disposition": disposition}
    )
