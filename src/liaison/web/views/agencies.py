"""Directory: agencies — list, add, edit. Rules live in DirectoryService; this only shows them."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from liaison.api.deps import DbDep
from liaison.directory.repository import DirectoryRepository
from liaison.directory.schemas import AgencyCreate, AgencyUpdate, MandateArea
from liaison.directory.service import DirectoryService
from liaison.kit.errors import Forbidden
from liaison.kit.inputs import IdPath, OptionalIdQuery, OptionalPartyQuery
from liaison.kit.pagination import PageParams
from liaison.kit.plugin import N_
from liaison.kit.roles import Caller
from liaison.models import Agency
from liaison.web.views.common import (
    CsrfFormDep,
    PageCallerDep,
    choices,
    page_links,
    render,
)
from liaison.web.views.forms import FormState, FormValues, read_values, submit

router = APIRouter(prefix="/directory/agencies", include_in_schema=False)
Page = Annotated[PageParams, Query()]

FIELDS = ("name", "acronym")
LISTS = ("mandate_areas",)


def may_add_agency(caller: Caller) -> bool:
    """Whether to offer the "Add agency" control; DirectoryService.add_agency decides."""
    return caller.is_admin


def saved_url(agency: Agency) -> str:
    return f"/directory/agencies?{urlencode({'saved': agency.id})}"


@router.get("")
def agencies(
    request: Request,
    db: DbDep,
    caller: PageCallerDep,
    page: Page,
    party: OptionalPartyQuery = None,
    saved: OptionalIdQuery = None,
) -> Response:
    repo = DirectoryRepository(db, caller)
    found = repo.agencies(page, party_code=party or None)
    return render(
        request,
        "agencies.html",
        caller=caller,
        agencies=found,
        parties={p.code: p for p in repo.parties()},
        party_filter=(party or "").upper(),
        editable=repo.writable_agency_ids([a.id for a in found]),
        may_add=may_add_agency(caller),
        saved=repo.agency(saved) if saved else None,
        pages=page_links(request, page.offset, page.limit, len(found)),
    )


def _form_page(
    request: Request,
    caller: Caller,
    repo: DirectoryRepository,
    form: FormState,
    agency: Agency | None,
) -> Response:
    return render(
        request,
        "agency_form.html",
        caller=caller,
        status=form.status,
        form=form,
        agency=agency,
        party=repo.party(caller.party_code),
        areas=choices(MandateArea),
    )


@router.get("/new")
def new_agency(request: Request, db: DbDep, caller: PageCallerDep) -> Response:
    if not may_add_agency(caller):
        raise Forbidden(N_("only an administrator may add agencies"))
    return _form_page(request, caller, DirectoryRepository(db, caller), FormState(), None)


@router.post("/new")
def add_agency(request: Request, db: DbDep, caller: PageCallerDep, form: CsrfFormDep) -> Response:
    service = DirectoryService(db, caller)
    values = read_values(form, FIELDS, LISTS)
    return submit(
        request,
        db,
        values,
        lambda: service.add_agency(
            AgencyCreate.model_validate(values | {"party_code": caller.party_code})
        ),
        then=lambda result: saved_url(result),
        again=lambda result: _form_page(request, caller, service.repo, result, None),
    )


@router.get("/{agency_id}/edit")
def edit_agency(request: Request, agency_id: IdPath, db: DbDep, caller: PageCallerDep) -> Response:
    service = DirectoryService(db, caller)
    agency = service.agency_for_change(agency_id)
    values: FormValues = {
        "name": agency.name,
        "acronym": agency.acronym,
        "mandate_areas": list(agency.mandate_areas),
    }
    return _form_page(request, caller, service.repo, FormState(values=values), agency)


@router.post("/{agency_id}/edit")
def update_agency(
    request: Request, agency_id: IdPath, db: DbDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    service = DirectoryService(db, caller)
    agency = service.agency_for_change(agency_id)
    values = read_values(form, FIELDS, LISTS)
    return submit(
        request,
        db,
        values,
        lambda: service.update_agency(agency_id, AgencyUpdate.model_validate(values)),
        then=lambda result: saved_url(result),
        again=lambda result: _form_page(request, caller, service.repo, result, agency),
    )
