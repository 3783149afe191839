"""Directory API under /api/v1. Thin: parse, call the service, shape the answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from liaison.api.deps import DbDep
from liaison.directory.schemas import (
    Accreditation,
    AccreditationChange,
    AgencyCreate,
    AgencyOut,
    AgencyUpdate,
    ChannelCreate,
    ChannelOut,
    OfficerCreate,
    OfficerOut,
    OfficerUpdate,
    PartyCreate,
    PartyOut,
)
from liaison.directory.service import DirectoryService
from liaison.kit.inputs import IdPath, OptionalIdQuery, OptionalPartyQuery
from liaison.kit.pagination import PageParams
from liaison.users.deps import CallerDep

router = APIRouter(prefix="/api/v1", tags=["directory"])
Page = Annotated[PageParams, Query()]


@router.get("/parties", response_model=list[PartyOut])
def list_parties(db: DbDep, caller: CallerDep) -> list[PartyOut]:
    parties = DirectoryService(db, caller).repo.parties()
    return [PartyOut.model_validate(p) for p in parties]


@router.post("/parties", response_model=PartyOut, status_code=status.HTTP_201_CREATED)
def add_party(data: PartyCreate, db: DbDep, caller: CallerDep) -> PartyOut:
    return PartyOut.model_validate(DirectoryService(db, caller).add_party(data))


@router.get("/agencies", response_model=list[AgencyOut])
def list_agencies(
    db: DbDep, caller: CallerDep, page: Page, party: OptionalPartyQuery = None
) -> list[AgencyOut]:
    agencies = DirectoryService(db, caller).repo.agencies(page, party_code=party)
    return [AgencyOut.model_validate(a) for a in agencies]


@router.post("/agencies", response_model=AgencyOut, status_code=status.HTTP_201_CREATED)
def add_agency(data: AgencyCreate, db: DbDep, caller: CallerDep) -> AgencyOut:
    return AgencyOut.model_validate(DirectoryService(db, caller).add_agency(data))


@router.get("/agencies/{agency_id}", response_model=AgencyOut)
def get_agency(agency_id: IdPath, db: DbDep, caller: CallerDep) -> AgencyOut:
    return AgencyOut.model_validate(DirectoryService(db, caller).get_agency(agency_id))


@router.patch("/agencies/{agency_id}", response_model=AgencyOut)
def update_agency(agency_id: IdPath, data: AgencyUpdate, db: DbDep, caller: CallerDep) -> AgencyOut:
    return AgencyOut.model_validate(DirectoryService(db, caller).update_agency(agency_id, data))


@router.get("/officers", response_model=list[OfficerOut])
def list_officers(
    db: DbDep,
    caller: CallerDep,
    page: Page,
    agency_id: OptionalIdQuery = None,
    accreditation: Accreditation | None = None,
) -> list[OfficerOut]:
    status_filter = accreditation.value if accreditation else None
    officers = DirectoryService(db, caller).repo.officers(page, agency_id, status_filter)
    return [OfficerOut.model_validate(o) for o in officers]


@router.post("/officers", response_model=OfficerOut, status_code=status.HTTP_201_CREATED)
def nominate_officer(data: OfficerCreate, db: DbDep, caller: CallerDep) -> OfficerOut:
    return OfficerOut.model_validate(DirectoryService(db, caller).add_officer(data))


@router.get("/officers/{officer_id}", response_model=OfficerOut)
def get_officer(officer_id: IdPath, db: DbDep, caller: CallerDep) -> OfficerOut:
    return OfficerOut.model_validate(DirectoryService(db, caller).read_officer(officer_id))


@router.patch("/officers/{officer_id}", response_model=OfficerOut)
def update_officer(
    officer_id: IdPath, data: OfficerUpdate, db: DbDep, caller: CallerDep
) -> OfficerOut:
    officer = DirectoryService(db, caller).update_officer(officer_id, data)
    return OfficerOut.model_validate(officer)


@router.post("/officers/{officer_id}/accreditation", response_model=OfficerOut)
def change_accreditation(
    officer_id: IdPath, data: AccreditationChange, db: DbDep, caller: CallerDep
) -> OfficerOut:
    officer = DirectoryService(db, caller).change_accreditation(officer_id, data)
    return OfficerOut.model_validate(officer)


@router.get("/officers/{officer_id}/channels", response_model=list[ChannelOut])
def list_channels(officer_id: IdPath, db: DbDep, caller: CallerDep) -> list[ChannelOut]:
    channels = DirectoryService(db, caller).channels(officer_id)
    return [ChannelOut.model_validate(c) for c in channels]


@router.post(
    "/officers/{officer_id}/channels",
    response_model=ChannelOut,
    status_code=status.HTTP_201_CREATED,
)
def add_channel(
    officer_id: IdPath, data: ChannelCreate, db: DbDep, caller: CallerDep
) -> ChannelOut:
    return ChannelOut.model_validate(DirectoryService(db, caller).add_channel(officer_id, data))


@router.delete("/channels/{channel_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_channel(channel_id: IdPath, db: DbDep, caller: CallerDep) -> None:
    DirectoryService(db, caller).remove_channel(channel_id)
