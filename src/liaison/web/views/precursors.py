"""Precursor pages (reads and empty forms): dashboard, register, notifications,
incidents, import. Posts are in precursors_forms."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from liaison.api.deps import DbDep
from liaison.directory.parties import parties as directory_parties
from liaison.exchange.schemas import LegalBasis
from liaison.kit.inputs import IdPath, QueryText
from liaison.kit.roles import Caller
from liaison.models import PrecursorNotice
from liaison.policy.schemas import HandlingCode, Tlp
from liaison.precursors import dashboard, register
from liaison.precursors.charts import dashboard_charts
from liaison.precursors.repository import PrecursorRepository
from liaison.precursors.schemas import DiversionMethod, IncidentKind, Outcome
from liaison.web.views.common import PageCallerDep, choices, render
from liaison.web.views.forms import FormState

router = APIRouter(prefix="/precursors", include_in_schema=False)


def options() -> dict[str, Any]:
    return {
        "tlps": [(t.value, f"TLP:{t.value}") for t in Tlp],
        "handling_codes": choices(HandlingCode),
        "legal_bases": choices(LegalBasis),
        "outcomes": choices(Outcome),
        "kinds": choices(IncidentKind),
        "methods": choices(DiversionMethod),
    }


def notice_page(
    request: Request, db: DbDep, caller: Caller, notice: PrecursorNotice, form: FormState | None
) -> Response:
    return render(
        request,
        "precursors/notice.html",
        caller=caller,
        status=form.status if form else 200,
        n=notice,
        form=form or FormState(),
        **options(),
    )


@router.get("")
def home(request: Request, db: DbDep, caller: PageCallerDep) -> Response:
    d = dashboard.build(db)
    return render(
        request,
        "precursors/dashboard.html",
        caller=caller,
        d=d,
        charts=dashboard_charts(d),
    )


@router.get("/substances")
def substances(
    request: Request,
    db: DbDep,
    caller: PageCallerDep,
    q: Annotated[QueryText, Query(max_length=100)] = "",
    category: Annotated[str, Query(pattern=r"^(table_i|salt|watch)?$")] = "",
) -> Response:
    return render(
        request,
        "precursors/substances.html",
        caller=caller,
        rows=register.search(db, q, category),
        parties=directory_parties(db),
        q=q,
        category=category,
    )


@router.get("/substances/{cas}/edit")
def edit_substance(
    request: Request, cas: Annotated[str, QueryText], db: DbDep, caller: PageCallerDep
) -> Response:
    row = register.get(db, cas)
    values = {
        "cas": row.cas, "name": row.name, "category": row.category, "family": row.family,
        "hs_code": row.hs_code, "unit": row.unit, "note": row.note,
        "synonyms": "; ".join(row.synonyms), "parent_cas": row.parent_cas or "",
    }  # fmt: skip
    parties = directory_parties(db)
    for party in parties:
        control = row.control.get(party.code, {})
        values[f"{party.code.lower()}_status"] = control.get("status", "not_controlled")
        values[f"{party.code.lower()}_reference"] = control.get("reference", "")
    return render(
        request,
        "precursors/substance_form.html",
        caller=caller,
        form=FormState(values=values),
        parties=parties,
    )


@router.get("/notices")
def notices(
    request: Request,
    db: DbDep,
    caller: PageCallerDep,
    direction: Annotated[str, Query(pattern=r"^(in|out)?$")] = "",
    status: Annotated[str, Query(pattern=r"^[a-z_]{0,20}$")] = "",
    cursor: Annotated[QueryText | None, Query(max_length=200)] = None,
) -> Response:
    page = PrecursorRepository(db, caller).notices(
        direction=direction or None, status=status or None, cursor=cursor
    )
    return render(
        request,
        "precursors/notices.html",
        caller=caller,
        page=page,
        direction=direction,
        status_filter=status,
    )


@router.get("/notices/new")
def new_notice(request: Request, caller: PageCallerDep, db: DbDep) -> Response:
    return render(
        request,
        "precursors/notice_new.html",
        caller=caller,
        form=FormState(values={"respond_within_days": "15", "unit": "kg"}),
        substances=register.search(db),
        **options(),
    )


@router.get("/notices/{notice_id}")
def notice(request: Request, notice_id: IdPath, db: DbDep, caller: PageCallerDep) -> Response:
    return notice_page(request, db, caller, PrecursorRepository(db, caller).notice(notice_id), None)


@router.get("/import")
def import_page(request: Request, caller: PageCallerDep) -> Response:
    return render(
        request, "precursors/import.html", caller=caller, form=FormState(), report=None, **options()
    )


@router.get("/incidents")
def incidents(request: Request, db: DbDep, caller: PageCallerDep) -> Response:
    return render(
        request,
        "precursors/incidents.html",
        caller=caller,
        rows=PrecursorRepository(db, caller).incidents(),
        form=FormState(values={"unit": "kg"}),
        substances=register.search(db),
        **options(),
    )


@router.get("/incidents/{incident_id}")
def incident(request: Request, incident_id: IdPath, db: DbDep, caller: PageCallerDep) -> Response:
    return render(
        request,
        "precursors/incident.html",
        caller=caller,
        i=PrecursorRepository(db, caller).incident(incident_id),
        form=FormState(),
    )
