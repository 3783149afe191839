"""Precursors API under /api/v1/precursors. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, UploadFile, status
from fastapi.responses import JSONResponse

from liaison.api.deps import DbDep, SettingsDep
from liaison.exchange.schemas import LegalBasis
from liaison.kit.errors import ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.inputs import IdPath, QueryText
from liaison.kit.plugin import N_
from liaison.policy.schemas import HandlingCode, Tlp
from liaison.precursors import dashboard, register
from liaison.precursors.imports import NoticeImport, rows_of
from liaison.precursors.incidents import IncidentService
from liaison.precursors.repository import PrecursorRepository
from liaison.precursors.schemas import (
    AnswerIn,
    CaseIn,
    IncidentIn,
    IncidentKind,
    IncidentOut,
    Markings,
    NoticeIn,
    NoticeOut,
    NoticePage,
    SubstanceIn,
    SubstanceOut,
)
from liaison.precursors.service import NoticeService
from liaison.users.deps import CallerDep

router = APIRouter(prefix="/api/v1/precursors", tags=["precursors"])
StatusQuery = Annotated[
    str | None,
    Query(
        pattern=r"^(held_for_review|sent|received|legitimate|objection|info_requested|withdrawn)?$"
    ),
]


@router.get("/substances", response_model=list[SubstanceOut])
def substances(
    db: DbDep,
    caller: CallerDep,
    q: Annotated[QueryText, Query(max_length=100)] = "",
    category: Annotated[str, Query(pattern=r"^(table_i|salt|watch)?$")] = "",
) -> list[SubstanceOut]:
    """Search the register by name, synonym, CAS number, HS code or structure family."""
    return [SubstanceOut.model_validate(s) for s in register.search(db, q, category)]


@router.put("/substances/{cas}", response_model=SubstanceOut)
def save_substance(
    cas: Annotated[str, Path(max_length=12)], data: SubstanceIn, db: DbDep, caller: CallerDep
) -> SubstanceOut:
    """Add or update an entry (administrators; audited). The path's CAS must match."""
    if cas.strip() != data.cas:
        raise ValidationFailed.on_field(
            "cas", Text(N_("the body's CAS %(cas)s differs from %(cas2)s"), cas=data.cas, cas2=cas)
        )
    return SubstanceOut.model_validate(register.save(db, caller, data))


@router.get("/notices", response_model=NoticePage)
def notices(
    db: DbDep,
    caller: CallerDep,
    direction: Annotated[str | None, Query(pattern=r"^(in|out)?$")] = None,
    status_: Annotated[StatusQuery, Query(alias="status")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[QueryText | None, Query(max_length=200)] = None,
) -> NoticePage:
    page = PrecursorRepository(db, caller).notices(
        direction=direction, status=status_, limit=limit, cursor=cursor
    )
    return NoticePage(
        items=[NoticeOut.model_validate(n) for n in page.items], next_cursor=page.next_cursor
    )


@router.post("/notices", response_model=NoticeOut, status_code=status.HTTP_201_CREATED)
def send_notice(data: NoticeIn, db: DbDep, caller: CallerDep, settings: SettingsDep) -> NoticeOut:
    """Send a pre-export notification to the importing party (policy-checked, audited)."""
    return NoticeOut.model_validate(NoticeService(db, caller, settings).create(data))


@router.post("/notices/import", responses={422: {"description": "the report of bad rows"}})
def import_notices(
    db: DbDep,
    caller: CallerDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="customs extract: CSV (UTF-8) or .xlsx")],
    tlp: Annotated[Tlp, Form()] = Tlp.AMBER,
    handling_code: Annotated[HandlingCode, Form()] = HandlingCode.INTELLIGENCE_ONLY,
    legal_basis: Annotated[LegalBasis, Form()] = LegalBasis.STATUTE,
    respond_within_days: Annotated[int, Form(ge=1, le=60)] = 15,
) -> JSONResponse:
    """All rows or none: a file with any bad row imports nothing and answers 422 with
    every bad row by line and field."""
    markings = Markings(tlp=tlp, handling_code=handling_code, legal_basis=legal_basis)
    report = NoticeImport(db, caller, settings).run(
        rows_of(file.file, file.filename or ""), markings, respond_within_days
    )
    code = status.HTTP_201_CREATED if report.imported else status.HTTP_422_UNPROCESSABLE_CONTENT
    return JSONResponse(status_code=code, content=report.model_dump(mode="json"))


@router.get("/notices/{notice_id}", response_model=NoticeOut)
def get_notice(notice_id: IdPath, db: DbDep, caller: CallerDep) -> NoticeOut:
    return NoticeOut.model_validate(PrecursorRepository(db, caller).notice(notice_id))


@router.post("/notices/{notice_id}/answer", response_model=NoticeOut)
def answer_notice(
    notice_id: IdPath, data: AnswerIn, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> NoticeOut:
    """Legitimate, objection (with reason) or request for information; it goes back to
    the exporting party. ``open_case`` also opens an exchange case with its entities."""
    return NoticeOut.model_validate(NoticeService(db, caller, settings).answer(notice_id, data))


@router.post("/notices/{notice_id}/case", status_code=status.HTTP_201_CREATED)
def notice_case(
    notice_id: IdPath, data: CaseIn, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> dict[str, Any]:
    case_id = NoticeService(db, caller, settings).open_case(notice_id, data)
    return {"case_id": case_id}


@router.get("/incidents", response_model=list[IncidentOut])
def incidents(db: DbDep, caller: CallerDep, kind: IncidentKind | None = None) -> list[IncidentOut]:
    rows = PrecursorRepository(db, caller).incidents(kind.value if kind else None)
    return [IncidentOut.model_validate(i) for i in rows]


@router.post("/incidents", response_model=IncidentOut, status_code=status.HTTP_201_CREATED)
def report_incident(
    data: IncidentIn, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> IncidentOut:
    return IncidentOut.model_validate(IncidentService(db, caller, settings).create(data))


@router.get("/incidents/{incident_id}", response_model=IncidentOut)
def get_incident(incident_id: IdPath, db: DbDep, caller: CallerDep) -> IncidentOut:
    return IncidentOut.model_validate(PrecursorRepository(db, caller).incident(incident_id))


@router.post("/incidents/{incident_id}/case", status_code=status.HTTP_201_CREATED)
def incident_case(
    incident_id: IdPath, data: CaseIn, db: DbDep, caller: CallerDep, settings: SettingsDep
) -> dict[str, Any]:
    return {"case_id": IncidentService(db, caller, settings).incident_case(incident_id, data)}


@router.get("/dashboard", response_model=dashboard.Dashboard)
def get_dashboard(db: DbDep, caller: CallerDep) -> dashboard.Dashboard:
    return dashboard.build(db)
