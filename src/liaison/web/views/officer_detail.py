"""One officer: accreditation status and dates, contact channels, and the forms to change them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from liaison.api.deps import DbDep
from liaison.directory.schemas import Accreditation, AccreditationChange, ChannelCreate, ChannelKind
from liaison.directory.service import DirectoryService
from liaison.kit import clock
from liaison.kit.inputs import IdPath
from liaison.kit.roles import Caller
from liaison.web.views.common import (
    CsrfFormDep,
    PageCallerDep,
    choices,
    render,
)
from liaison.web.views.forms import FormState, read_values, submit

router = APIRouter(prefix="/directory/officers", include_in_schema=False)

NOTICES = {
    "nominated": "Nomination recorded.",
    "accreditation": "Accreditation step recorded.",
    "channel": "Contact channel added.",
}


def later_statuses(current: Accreditation) -> list[Accreditation]:
    """Statuses to offer as the next step: those after ``current`` in the enum's order
    (nominated → accredited → withdrawn). The service decides which step is allowed."""
    members = list(Accreditation)
    return members[members.index(current) + 1 :]


def _detail_page(
    request: Request,
    caller: Caller,
    service: DirectoryService,
    officer_id: IdPath,
    *,
    accreditation: FormState | None = None,
    channel: FormState | None = None,
    notice: str | None = None,
) -> Response:
    officer = service.read_officer(officer_id)
    repo = service.repo
    failed = accreditation or channel
    return render(
        request,
        "officer_detail.html",
        caller=caller,
        status=failed.status if failed else 200,
        officer=officer,
        agency=repo.agency(officer.agency_id),
        parties={p.code: p for p in repo.parties()},
        channels=service.channels(officer_id),
        may_change=repo.writable_officer(officer_id) is not None,
        steps=choices(later_statuses(Accreditation(officer.accreditation_status))),
        channel_kinds=choices(ChannelKind),
        accreditation=accreditation or FormState(values={"on": clock.today().isoformat()}),
        channel=channel or FormState(values={"kind": ChannelKind.SECURE_EMAIL.value}),
        notice=NOTICES.get(notice or ""),
    )


@router.get("/{officer_id}")
def officer(
    request: Request,
    officer_id: IdPath,
    db: DbDep,
    caller: PageCallerDep,
    notice: str | None = None,
) -> Response:
    return _detail_page(request, caller, DirectoryService(db, caller), officer_id, notice=notice)


@router.post("/{officer_id}/accreditation")
def change_accreditation(
    request: Request, officer_id: IdPath, db: DbDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    service = DirectoryService(db, caller)
    values = read_values(form, ("status", "on"))
    return submit(
        request,
        db,
        values,
        lambda: service.change_accreditation(
            officer_id, AccreditationChange.model_validate(values)
        ),
        then=lambda result: f"/directory/officers/{officer_id}?notice=accreditation",
        again=lambda result: _detail_page(
            request, caller, service, officer_id, accreditation=result
        ),
    )


@router.post("/{officer_id}/channels")
def add_channel(
    request: Request, officer_id: IdPath, db: DbDep, caller: PageCallerDep, form: CsrfFormDep
) -> Response:
    service = DirectoryService(db, caller)
    values = read_values(form, ("kind", "address", "notes"))
    return submit(
        request,
        db,
        values,
        lambda: service.add_channel(officer_id, ChannelCreate.model_validate(values)),
        then=lambda result: f"/directory/officers/{officer_id}?notice=channel",
        again=lambda result: _detail_page(request, caller, service, officer_id, channel=result),
    )
