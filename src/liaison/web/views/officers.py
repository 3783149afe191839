"""Directory: liaison officers and points of contact — list and nominate."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from liaison.api.deps import DbDep
from liaison.directory.repository import DirectoryRepository
from liaison.directory.schemas import Accreditation, OfficerCreate, OfficerKind
from liaison.directory.service import DirectoryService
from liaison.kit import clock
from liaison.kit.errors import Forbidden
from liaison.kit.inputs import OptionalIdQuery
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
from liaison.web.views.forms import FormState, read_values, submit

router = APIRouter(prefix="/directory/officers", include_in_schema=False)
Page = Annotated[PageParams, Query()]

FIELDS = (
    "kind",
    "role_title",
    "person_name",
    "agency_id",
    "host_party_code",
    "posting",
    "nominated_on",
)
# Agencies are few (dozens per party); one bounded query serves the pickers and labels.
AGENCY_PAGE = PageParams(limit=500)


def agencies_by_id(repo: DirectoryRepository, needed: Iterable[str] = ()) -> dict[str, Agency]:
    found = {agency.id: agency for agency in repo.agencies(AGENCY_PAGE)}
    for agency_id in set(needed) - found.keys():
        agency = repo.agency(agency_id)
        if agency is not None:
            found[agency_id] = agency
    return found


def nominating_agencies(repo: DirectoryRepository) -> list[Agency]:
    """Agencies the caller may nominate for (the repository's rule)."""
    return [a for a in repo.agencies(AGENCY_PAGE) if repo.may_nominate_for(a)]


@router.get("")
def officers(
    request: Request,
    db: DbDep,
    caller: PageCallerDep,
    page: Page,
    agency_id: OptionalIdQuery = None,
    status: str | None = None,
) -> Response:
    repo = DirectoryRepository(db, caller)
    statuses = [a.value for a in Accreditation]
    status_filter = status if status in statuses else None
    found = repo.officers(page, agency_id or None, status_filter)
    agencies = agencies_by_id(repo, (o.agency_id for o in found))
    return render(
        request,
        "officers.html",
        caller=caller,
        officers=found,
        agencies=agencies,
        parties={p.code: p for p in repo.parties()},
        filters={"agency_id": agency_id or "", "status": status_filter or ""},
        statuses=choices(Accreditation),
        may_nominate=any(repo.may_nominate_for(a) for a in agencies.values()),
        pages=page_links(request, page.offset, page.limit, len(found)),
    )


def _form_page(
    request: Request, caller: Caller, repo: DirectoryRepository, form: FormState
) -> Response:
    allowed = nominating_agencies(repo)
    if not allowed:
        raise Forbidden(N_("you may not nominate officers for any agency"))
    return render(
        request,
        "officer_form.html",
        caller=caller,
        status=form.status,
        form=form,
        agencies=allowed,
        parties=repo.parties(),
        kinds=choices(OfficerKind),
    )


@router.get("/new")
def new_officer(request: Request, db: DbDep, caller: PageCallerDep) -> Response:
    repo = DirectoryRepository(db, caller)
    host = next((p.code for p in repo.parties() if p.code != caller.party_code), "")
    values = {
        "kind": OfficerKind.LIAISON_OFFICER.value,
        "agency_id": caller.agency_id,
        "host_party_code": host,
        "nominated_on": clock.today().isoformat(),
    }
    return _form_page(request, caller, repo, FormState(values=values))


@router.post("/new")
def nominate(request: Request, db: DbDep, caller: PageCallerDep, form: CsrfFormDep) -> Response:
    service = DirectoryService(db, caller)
    values = read_values(form, FIELDS)
    return submit(
        request,
        db,
        values,
        lambda: service.add_officer(OfficerCreate.model_validate(values)),
        then=lambda result: f"/directory/officers/{result.id}?notice=nominated",
        again=lambda result: _form_page(request, caller, service.repo, result),
    )
