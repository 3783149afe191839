"""Directory rules: validation, accreditation steps, who may change what.

Services flush, never commit. An item the caller may read but not change answers
Forbidden; one the caller cannot read at all answers NotFound.
"""

from __future__ import annotations

import pycountry
from sqlalchemy.orm import Session

from liaison.directory import seed_data
from liaison.directory.accreditation import apply_step
from liaison.directory.federation import publish_agency, publish_officer, send_decision
from liaison.directory.parties import ensure_party as ensure_party
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
from liaison.kit.errors import Conflict, Forbidden, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.repository import found
from liaison.kit.roles import Caller
from liaison.ledger.service import trail
from liaison.models import Agency, ContactChannel, Officer, Party


class DirectoryService:
    def __init__(self, db: Session, caller: Caller) -> None:
        self.db = db
        self.caller = caller
        self.repo = DirectoryRepository(db, caller)

    # parties -------------------------------------------------------------
    def add_party(self, data: PartyCreate) -> Party:
        if not self.caller.is_admin:
            raise Forbidden(N_("only an administrator may add parties"))
        country = pycountry.countries.get(alpha_2=data.code)
        if country is None:
            raise ValidationFailed.on_field(
                "code", Text(N_("'%(code)s' is not an ISO 3166-1 code"), code=data.code)
            )
        if self.repo.party(data.code) is not None:
            raise Conflict.on_field(
                "code", Text(N_("party %(code)s already exists"), code=data.code)
            )
        party = Party(
            code=data.code,
            name=data.name or country.name,
            time_zone=seed_data.PARTY_TIME_ZONES.get(data.code),
        )
        self.db.add(party)
        self.db.flush()
        trail(self.db, self.caller, "directory.party.created", "directory.party", party.code)
        return party

    def _known_party(self, field: str, code: str) -> Party:
        party = self.repo.party(code)
        if party is None:
            raise ValidationFailed.on_field(field, Text(N_("unknown party '%(code)s'"), code=code))
        return party

    # agencies ------------------------------------------------------------
    def get_agency(self, agency_id: str) -> Agency:
        agency = found(
            self.repo.agency(agency_id), Text(N_("no agency %(agency_id)s"), agency_id=agency_id)
        )
        return agency

    def agency_for_change(self, agency_id: str) -> Agency:
        agency = self.repo.writable_agency(agency_id)
        if agency is None:
            self.get_agency(agency_id)  # NotFound if it does not exist at all
            raise Forbidden(N_("you may not change this agency"))
        return agency

    def add_agency(self, data: AgencyCreate) -> Agency:
        if not self.caller.is_admin:
            raise Forbidden(N_("only an administrator may add agencies"))
        self._known_party("party_code", data.party_code)
        if data.party_code != self.caller.party_code:
            raise ValidationFailed.on_field(
                "party_code",
                Text(
                    N_(
                        "this node records agencies of %(party_code)s only; other "
                        "parties publish their own"
                    ),
                    party_code=self.caller.party_code,
                ),
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
        publish_agency(self.db, agency)
        trail(self.db, self.caller, "directory.agency.created", "directory.agency", agency.id)
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
        publish_agency(self.db, agency)
        trail(self.db, self.caller, "directory.agency.updated", "directory.agency", agency.id)
        return agency

    def _check_acronym(self, party_code: str, acronym: str, except_id: str | None) -> None:
        if self.repo.acronym_taken(party_code, acronym, except_id):
            raise Conflict.on_field(
                "acronym",
                Text(
                    N_("%(party_code)s already has an agency with acronym '%(acronym)s'"),
                    party_code=party_code,
                    acronym=acronym,
                ),
            )

    # officers ------------------------------------------------------------
    def get_officer(self, officer_id: str) -> Officer:
        officer = found(
            self.repo.officer(officer_id),
            Text(N_("no officer %(officer_id)s"), officer_id=officer_id),
        )
        return officer

    def read_officer(self, officer_id: str) -> Officer:
        """``get_officer`` for showing the record to the caller: the read is audited."""
        officer = self.get_officer(officer_id)
        trail(self.db, self.caller, "directory.officer.read", "directory.officer", officer.id)
        return officer

    def officer_for_change(self, officer_id: str) -> Officer:
        officer = self.repo.writable_officer(officer_id)
        if officer is None:
            self.get_officer(officer_id)
            raise Forbidden(N_("you may not change this officer's record"))
        return officer

    def add_officer(self, data: OfficerCreate) -> Officer:
        agency = self.repo.agency(data.agency_id)
        if agency is None:
            raise ValidationFailed.on_field(
                "agency_id", Text(N_("unknown agency '%(agency_id)s'"), agency_id=data.agency_id)
            )
        self._known_party("host_party_code", data.host_party_code)
        if data.host_party_code == agency.party_code:
            raise ValidationFailed.on_field(
                "host_party_code", N_("an officer is posted to the other party, not their own")
            )
        if not self.repo.may_nominate_for(agency):
            raise Forbidden(N_("you may not nominate officers for this agency"))
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
        publish_officer(self.db, officer)
        trail(self.db, self.caller, "directory.officer.created", "directory.officer", officer.id)
        return officer

    def update_officer(self, officer_id: str, data: OfficerUpdate) -> Officer:
        officer = self.officer_for_change(officer_id)
        for field in data.model_fields_set:
            setattr(officer, field, getattr(data, field))
        self.db.flush()
        publish_officer(self.db, officer)
        trail(self.db, self.caller, "directory.officer.updated", "directory.officer", officer.id)
        return officer

    def change_accreditation(self, officer_id: str, change: AccreditationChange) -> Officer:
        """The two-step exchange: the host party accredits (or withdraws accreditation of)
        an officer posted to it; the sending party may only withdraw its own officer.
        Either decision is recorded here and sent to the other party."""
        trail(
            self.db,
            self.caller,
            f"directory.officer.{change.status.value}",
            "directory.officer",
            officer_id,
            on=change.on.isoformat(),
        )
        officer = self.get_officer(officer_id)
        agency = self.get_agency(officer.agency_id)
        if agency.party_code == self.caller.party_code:
            officer = self.officer_for_change(officer_id)
            if change.status is Accreditation.ACCREDITED:
                raise Forbidden(
                    Text(
                        N_(
                            "accreditation is decided by the host party "
                            "(%(host_party_code)s); this node may only withdraw its own "
                            "officer"
                        ),
                        host_party_code=officer.host_party_code,
                    )
                )
            apply_step(officer, change)
            self.db.flush()
            publish_officer(self.db, officer)
            return officer
        if officer.host_party_code != self.caller.party_code or not self.caller.is_admin:
            raise Forbidden(N_("only an administrator of the host party decides accreditation"))
        apply_step(officer, change)
        self.db.flush()
        send_decision(self.db, officer, change, to=agency.party_code)
        return officer

    # channels ------------------------------------------------------------
    def channels(self, officer_id: str) -> list[ContactChannel]:
        self.get_officer(officer_id)
        trail(self.db, self.caller, "directory.channels.read", "directory.officer", officer_id)
        return self.repo.channels(officer_id)

    def add_channel(self, officer_id: str, data: ChannelCreate) -> ContactChannel:
        officer = self.officer_for_change(officer_id)
        channel = ContactChannel(
            officer_id=officer.id, kind=data.kind.value, address=data.address, notes=data.notes
        )
        self.db.add(channel)
        self.db.flush()
        trail(self.db, self.caller, "directory.channel.added", "directory.officer", officer.id)
        return channel

    def remove_channel(self, channel_id: str) -> None:
        channel = found(
            self.repo.writable_channel(channel_id),
            Text(
                N_("no contact channel %(channel_id)s that you may change"), channel_id=channel_id
            ),
        )
        trail(
            self.db,
            self.caller,
            "directory.channel.removed",
            "directory.officer",
            channel.officer_id,
        )
        self.db.delete(channel)
        self.db.flush()
