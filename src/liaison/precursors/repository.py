"""Reads of notifications and incidents, filtered for the caller in the query: TLP:RED
items are visible to administrators and liaison officers only (others get a 404)."""

from __future__ import annotations

from sqlalchemy import Select, select

from liaison.kit.i18n import Text
from liaison.kit.plugin import N_
from liaison.kit.repository import KeysetPage, Repository, found, keyset_page, keyset_window
from liaison.kit.roles import Caller, Role
from liaison.models import PrecursorIncident, PrecursorNotice
from liaison.policy.schemas import Tlp

RED_READERS = frozenset({Role.ADMIN, Role.LIAISON_OFFICER})


class PrecursorRepository(Repository[Caller]):
    def _notices(self) -> Select[PrecursorNotice]:
        query = select(PrecursorNotice)
        if self.caller.role not in RED_READERS:
            query = query.where(PrecursorNotice.tlp != Tlp.RED.value)
        return query

    def _incidents(self) -> Select[PrecursorIncident]:
        query = select(PrecursorIncident)
        if self.caller.role not in RED_READERS:
            query = query.where(PrecursorIncident.tlp != Tlp.RED.value)
        return query

    def notice(self, notice_id: str) -> PrecursorNotice:
        query = self._notices().where(PrecursorNotice.id == notice_id)
        return self.one_or_404(
            query, Text(N_("no notification %(notice_id)s"), notice_id=notice_id)
        )

    def notices(
        self,
        *,
        direction: str | None = None,
        status: str | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> KeysetPage[PrecursorNotice]:
        query = self._notices()
        if direction:
            query = query.where(PrecursorNotice.direction == direction)
        if status == "overdue":  # silent past the deadline
            query = query.where(
                PrecursorNotice.overdue_flagged_at.is_not(None),
                PrecursorNotice.answered_at.is_(None),
            )
        elif status:
            query = query.where(PrecursorNotice.status == status)
        query = keyset_window(query, PrecursorNotice.id, limit=limit, cursor=cursor)
        return keyset_page(list(self.db.scalars(query)), limit=limit, key_of=lambda n: n.id)

    def incident(self, incident_id: str) -> PrecursorIncident:
        query = self._incidents().where(PrecursorIncident.id == incident_id)
        return found(
            self.db.scalar(query), Text(N_("no incident %(incident_id)s"), incident_id=incident_id)
        )

    def incidents(self, kind: str | None = None, limit: int = 200) -> list[PrecursorIncident]:
        query = self._incidents()
        if kind:
            query = query.where(PrecursorIncident.kind == kind)
        return list(self.db.scalars(query.order_by(PrecursorIncident.id.desc()).limit(limit)))
