"""Directory queries. What a caller may read or change is decided in the base query."""

from __future__ import annotations

from sqlalchemy import Select, func, select

from liaison.kit.pagination import PageParams
from liaison.kit.repository import Repository
from liaison.kit.roles import Caller, Role
from liaison.models import Agency, ContactChannel, Officer, Party

# Viewers see who is who, but not how to reach them.
CHANNEL_READERS = frozenset({Role.ADMIN, Role.LIAISON_OFFICER, Role.ANALYST, Role.LEGAL_REVIEWER})


class DirectoryRepository(Repository[Caller]):
    # parties -------------------------------------------------------------
    def parties(self) -> list[Party]:
        return list(self.db.scalars(select(Party).order_by(Party.code)))

    def party(self, code: str) -> Party | None:
        return self.db.get(Party, code.upper())

    # agencies ------------------------------------------------------------
    def _writable_agencies(self) -> Select[Agency]:
        query = select(Agency).where(Agency.party_code == self.caller.party_code)
        if not self.caller.is_admin:
            query = query.where(Agency.id.is_(None))  # only admins change agencies
        return query

    def agencies(self, page: PageParams, party_code: str | None = None) -> list[Agency]:
        query = select(Agency).order_by(Agency.party_code, Agency.acronym)
        if party_code:
            query = query.where(Agency.party_code == party_code.upper())
        return list(self.db.scalars(query.limit(page.limit).offset(page.offset)))

    def agency(self, agency_id: str) -> Agency | None:
        return self.db.get(Agency, agency_id)

    def writable_agency(self, agency_id: str) -> Agency | None:
        return self.db.scalar(self._writable_agencies().where(Agency.id == agency_id))

    def writable_agency_ids(self, agency_ids: list[str]) -> set[str]:
        """Which of these agencies the caller may change, in one query."""
        if not agency_ids:
            return set()
        query = self._writable_agencies().where(Agency.id.in_(agency_ids))
        return set(self.db.scalars(query.with_only_columns(Agency.id)))

    def acronym_taken(self, party_code: str, acronym: str, except_id: str | None) -> bool:
        query = select(Agency.id).where(
            Agency.party_code == party_code, func.lower(Agency.acronym) == acronym.lower()
        )
        if except_id:
            query = query.where(Agency.id != except_id)
        return self.db.scalar(query) is not None

    # officers ------------------------------------------------------------
    def _writable_officers(self) -> Select[Officer]:
        query = (
            select(Officer)
            .join(Agency, Agency.id == Officer.agency_id)
            .where(Agency.party_code == self.caller.party_code)
        )
        if self.caller.is_admin:
            return query
        if self.caller.role is Role.LIAISON_OFFICER:
            return query.where(Officer.agency_id == self.caller.agency_id)
        return query.where(Officer.id.is_(None))

    def may_nominate_for(self, agency: Agency) -> bool:
        """Admins nominate for any agency of their party; officers for their own agency."""
        if agency.party_code != self.caller.party_code:
            return False
        if self.caller.is_admin:
            return True
        return self.caller.role is Role.LIAISON_OFFICER and agency.id == self.caller.agency_id

    def officers(
        self, page: PageParams, agency_id: str | None = None, status: str | None = None
    ) -> list[Officer]:
        query = select(Officer).order_by(Officer.nominated_on.desc(), Officer.id)
        if agency_id:
            query = query.where(Officer.agency_id == agency_id)
        if status:
            query = query.where(Officer.accreditation_status == status)
        return list(self.db.scalars(query.limit(page.limit).offset(page.offset)))

    def officer(self, officer_id: str) -> Officer | None:
        return self.db.get(Officer, officer_id)

    def writable_officer(self, officer_id: str) -> Officer | None:
        return self.db.scalar(self._writable_officers().where(Officer.id == officer_id))

    # channels ------------------------------------------------------------
    def channels(self, officer_id: str) -> list[ContactChannel]:
        query = select(ContactChannel).where(ContactChannel.officer_id == officer_id)
        if self.caller.role not in CHANNEL_READERS:
            query = query.where(ContactChannel.id.is_(None))
        return list(self.db.scalars(query.order_by(ContactChannel.created_at)))

    def writable_channel(self, channel_id: str) -> ContactChannel | None:
        writable = self._writable_officers().with_only_columns(Officer.id)
        return self.db.scalar(
            select(ContactChannel).where(
                ContactChannel.id == channel_id, ContactChannel.officer_id.in_(writable)
            )
        )
