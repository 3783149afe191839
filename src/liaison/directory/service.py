"""Directory rules: validation, accreditation steps, who may change what.

Services flush, never commit. An item the caller may read but not change answers
Forbidden; one the caller cannot read at all answers NotFound.
"""

from __future__ import annotations

import pycountry
from sqlalchemy.orm import Session

from liaison.directory.repository import DirectoryRepository
from liaison.directory.schemas import (
    Accreditation,
    AccreditationChange,
    AgencyCreate,
    AgencyUpdate,
    ChannelCreate,
    OfficerCreate,
    OfficerUpdate,
    PartyCreate,
)
from liaison.kit.errors import Conflict, Forbidden, NotFound, ValidationFailed
from liaison.models import Agency, ContactChannel, Officer, Party
from liaison.users.roles import Caller

# Which accreditation steps are allowed from each status.
_NEXT_STEPS: dict[Accreditation, frozenset[Accreditation]] = {
    Accreditation.NOMINATED: frozenset({Accreditation.ACCREDITED, Accreditation.WITHDRAWN}),
    Accreditation.ACCREDITED: frozenset({Accreditation.WITHDRAWN}),
    Accreditation.WITHDRAWN: frozenset(),
}


class DirectoryService:
    def __init__(self, db: Session, caller: Caller) -> None:
        self.db = db
        self.caller = caller
        self.repo = DirectoryRepository(db, caller)

    # parties -------------------------------------------------------------
    def add_party(self, data: PartyCreate) -> Party:
        if not self.caller.is_admin:
            raise Forbidden("only an administrator may add parties")
        country = pycountry.countries.get(alpha_2=data.code)
        if country is None:
            raise ValidationFailed.on_field("code", f"'{data.code}' is not an ISO 3166-1 code")
        if self.repo.party(data.code) is not None:
            raise Conflict.on_field("code", f"party {data.code} already exists")
        party = Party(code=data.code, name=data.name or country.name)
        self.db.add(party)
        self.db.flush()
        return party

    def _known_party(self, field: str, code: str) -> Party:
        party = self.repo.party(code)
        if party is None:
            raise ValidationFailed.on_field(field, f"unknown party '{code}'")
        return party

    # agencies ------------------------------------------------------------
    def get_agency(self, agency_id: str) -> Agency:
        agency = self.repo.agency(agency_id)
        if agency is None:
            raise NotFound(f"no agency {agency_id}")
        return agency

    def agency_for_change(self, agency_id: str) -> Agency:
        agency = self.repo.writable_agency(agency_id)
        if agency is None:
            self.get_agency(agency_id)  # NotFound if it does not exist at all
            raise Forbidden("you may not change this agency")
        return agency

    def add_agency(self, data: AgencyCreate) -> Agency:
        if not self.caller.is_admin:
            raise Forbidden("only an administrator may add agencies")
        self._known_party("party_code", data.party_code)
        if data.party_code != self.caller.party_code:
            raise ValidationFailed.on_field(
                "party_code",
                f"this node records agencies of {self.caller.party_code} only; "
                "other parties publish their own",
            )
        self._check_acronym(data.party_code, data.acronym, except_id=None)
        agency = Agency(
            party_code=data.party_code,
            name=data.name,
            acronym=data.acronym,
            mandate_areas=[area.value for area in data.mandate_areas],
        )
        self.db.add(agency)
        self.db.flush()
        return agency

    def update_agency(self, agency_id: str, data: AgencyUpdate) -> Agency:
        agency = self.agency_for_change(agency_id)
        if data.acronym is not None:
            self._check_acronym(agency.party_code, data.acronym, except_id=agency.id)
            agency.acronym = data.acronym
        if data.name is not None:
            agency.name = data.name
        if data.mandate_areas is not None:
            agency.mandate_areas = sorted({area.value for area in data.mandate_areas})
        self.db.flush()
        return agency

    def _check_acronym(self, party_code: str, acronym: str, except_id: str | None) -> None:
        if self.repo.acronym_taken(party_code, acronym, except_id):
            raise Conflict.on_field(
                "acronym", f"{party_code} already has an agency with acronym '{acronym}'"
            )

    # officers ------------------------------------------------------------
    def get_officer(self, officer_id: str) -> Officer:
        officer = self.repo.officer(officer_id)
        if officer is None:
            raise NotFound(f"no officer {officer_id}")
        return officer

    def officer_for_change(self, officer_id: str) -> Officer:
        officer = self.repo.writable_officer(officer_id)
        if officer is None:
            self.get_officer(officer_id)
            raise Forbidden("you may not change this officer's record")
        return officer

    def add_officer(self, data: OfficerCreate) -> Officer:
        agency = self.repo.agency(data.agency_id)
        if agency is None:
            raise ValidationFailed.on_field("agency_id", f"unknown agency '{data.agency_id}'")
        self._known_party("host_party_code", data.host_party_code)
        if data.host_party_code == agency.party_code:
            raise ValidationFailed.on_field(
                "host_party_code", "an officer is posted to the other party, not their own"
            )
        if not self.repo.may_nominate_for(agency):
            raise Forbidden("you may not nominate officers for this agency")
        officer = Officer(
            kind=data.kind.value,
            role_title=data.role_title,
            person_name=data.person_name or None,
            agency_id=agency.id,
            host_party_code=data.host_party_code,
            posting=data.posting,
            accreditation_status=Accreditation.NOMINATED.value,
            nominated_on=data.nominated_on,
        )
        self.db.add(officer)
        self.db.flush()
        return officer

    def update_officer(self, officer_id: str, data: OfficerUpdate) -> Officer:
        officer = self.officer_for_change(officer_id)
        for field in data.model_fields_set:
            setattr(officer, field, getattr(data, field))
        self.db.flush()
        return officer

    def change_accreditation(self, officer_id: str, change: AccreditationChange) -> Officer:
        officer = self.officer_for_change(officer_id)
        current = Accreditation(officer.accreditation_status)
        if change.status not in _NEXT_STEPS[current]:
            raise Conflict.on_field(
                "status", f"an officer who is {current.value} cannot become {change.status.value}"
            )
        earliest = officer.accredited_on or officer.nominated_on
        if change.on < earliest:
            raise ValidationFailed.on_field(
                "on",
                f"{change.on.isoformat()} is before the {current.value} date "
                f"{earliest.isoformat()}; accreditation dates must be in order",
            )
        if change.status is Accreditation.ACCREDITED:
            officer.accredited_on = change.on
        else:
            officer.withdrawn_on = change.on
        officer.accreditation_status = change.status.value
        self.db.flush()
        return officer

    # channels ------------------------------------------------------------
    def channels(self, officer_id: str) -> list[ContactChannel]:
        self.get_officer(officer_id)
        return self.repo.channels(officer_id)

    def add_channel(self, officer_id: str, data: ChannelCreate) -> ContactChannel:
        officer = self.officer_for_change(officer_id)
        channel = ContactChannel(
            officer_id=officer.id, kind=data.kind.value, address=data.address, notes=data.notes
        )
        self.db.add(channel)
        self.db.flush()
        return channel

    def remove_channel(self, channel_id: str) -> None:
        channel = self.repo.writable_channel(channel_id)
        if channel is None:
            raise NotFound(f"no contact channel {channel_id} that you may change")
        self.db.delete(channel)
        self.db.flush()
