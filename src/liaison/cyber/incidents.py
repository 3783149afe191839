"""Incident coordination: a record with linked STIX objects, a timeline of notes,
tasks per side and status changes, and the CERT-In reporting clock.

CERT-In's Directions of 28 April 2022 (under section 70B(6) of the Information
Technology Act, 2000) require the listed cyber incidents to be reported to CERT-In
within 6 hours of being noticed; a record marked reportable shows that due time and
whether it is overdue until the report is recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.cyber.access import user_subject
from liaison.cyber.repository import CyberRepository
from liaison.kit import clock
from liaison.kit.errors import Forbidden
from liaison.kit.i18n import Text
from liaison.kit.inputs import InputModel
from liaison.kit.plugin import N_
from liaison.kit.repository import found
from liaison.kit.roles import Caller, Role
from liaison.models import CyberIncident, CyberIncidentEntry, CyberIncidentLink

CERT_IN_REPORTING = timedelta(hours=6)
LINKED = "linked "
LINKED_HIDDEN = "linked an object marked beyond what you may see"


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str
    side: str
    author: str
    text: str


@dataclass(frozen=True)
class Links:
    visible: list[tuple[str, str, str]]  # (collection id, STIX id, TLP)
    hidden: int


class IncidentStatus(StrEnum):
    OPEN = "open"
    CONTAINED = "contained"
    RESOLVED = "resolved"
    CLOSED = "closed"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class EntryKind(StrEnum):
    NOTE = "note"
    TASK = "task"


class IncidentCreate(InputModel):
    title: str = Field(min_length=1, max_length=200)
    summary: str = Field(default="", max_length=5000)
    severity: Severity = Severity.MEDIUM
    detected_at: datetime
    reportable_cert_in: bool = False


class EntryCreate(InputModel):
    kind: EntryKind = EntryKind.NOTE
    side: str = Field(pattern=r"^[A-Z]{2}$")
    text: str = Field(min_length=1, max_length=5000)


class LinkCreate(InputModel):
    collection_id: str = Field(pattern=r"^[0-9A-Za-z-]{1,36}$")
    stix_id: str = Field(min_length=3, max_length=300)


@dataclass(frozen=True)
class ReportingClock:
    due: datetime
    reported_at: datetime | None

    @property
    def overdue(self) -> bool:
        return self.reported_at is None and clock.now() > self.due


def reporting_clock(incident: CyberIncident) -> ReportingClock | None:
    if not incident.reportable_cert_in:
        return None
    return ReportingClock(incident.detected_at + CERT_IN_REPORTING, incident.reported_at)


class IncidentService:
    """Every user of the node reads incidents; everyone but viewers records them."""

    def __init__(self, db: Session, caller: Caller) -> None:
        self.db = db
        self.caller = caller
        self.author = user_subject(caller.party_code, caller.username)

    def _may_write(self) -> None:
        if self.caller.role is Role.VIEWER:
            raise Forbidden(N_("viewers may read incidents but not record them"))

    def recent(self, limit: int = 100) -> list[CyberIncident]:
        query = select(CyberIncident).order_by(CyberIncident.detected_at.desc()).limit(limit)
        return list(self.db.scalars(query))

    def get(self, incident_id: str) -> CyberIncident:
        incident = found(
            self.db.get(CyberIncident, incident_id),
            Text(N_("no incident %(incident_id)s"), incident_id=incident_id),
        )
        return incident

    def create(self, data: IncidentCreate) -> CyberIncident:
        self._may_write()
        incident = CyberIncident(
            title=data.title,
            summary=data.summary,
            severity=data.severity.value,
            status=IncidentStatus.OPEN.value,
            detected_at=clock.as_utc(data.detected_at),
            reportable_cert_in=data.reportable_cert_in,
            party_code=self.caller.party_code,
            created_by=self.author,
        )
        self.db.add(incident)
        self.db.flush()
        self._entry(incident, "status", self.caller.party_code, "incident recorded (open)")
        return incident

    def _entry(self, incident: CyberIncident, kind: str, side: str, text: str) -> None:
        self.db.add(
            CyberIncidentEntry(
                incident_id=incident.id, kind=kind, side=side, author=self.author, text=text
            )
        )
        self.db.flush()

    def add_entry(self, incident_id: str, data: EntryCreate) -> None:
        self._may_write()
        self._entry(self.get(incident_id), data.kind.value, data.side, data.text)

    def set_status(self, incident_id: str, status: IncidentStatus) -> None:
        self._may_write()
        incident = self.get(incident_id)
        if incident.status != status.value:
            incident.status = status.value
            self._entry(incident, "status", self.caller.party_code, f"status: {status.value}")

    def mark_reported(self, incident_id: str) -> None:
        self._may_write()
        incident = self.get(incident_id)
        if incident.reported_at is None:
            incident.reported_at = clock.now()
            self._entry(incident, "status", self.caller.party_code, "reported to CERT-In")

    def link(self, incident_id: str, data: LinkCreate) -> None:
        """Link an object the caller can see (404 otherwise)."""
        self._may_write()
        incident = self.get(incident_id)
        repo = CyberRepository(self.db, self.caller)
        repo.latest(repo.collection(data.collection_id), data.stix_id)
        exists = self.db.scalar(
            select(CyberIncidentLink.id).where(
                CyberIncidentLink.incident_id == incident.id,
                CyberIncidentLink.collection_id == data.collection_id,
                CyberIncidentLink.stix_id == data.stix_id,
            )
        )
        if exists is None:
            self.db.add(
                CyberIncidentLink(
                    incident_id=incident.id,
                    collection_id=data.collection_id,
                    stix_id=data.stix_id,
                    linked_by=self.author,
                )
            )
            self._entry(incident, "link", self.caller.party_code, f"{LINKED}{data.stix_id}")

    def timeline(self, incident_id: str) -> list[TimelineEntry]:
        """The entries, with "linked <id>" shown only for objects the caller may see."""
        query = (
            select(CyberIncidentEntry)
            .where(CyberIncidentEntry.incident_id == incident_id)
            .order_by(CyberIncidentEntry.at, CyberIncidentEntry.id)
        )
        entries = list(self.db.scalars(query))
        visible = {stix_id for _, stix_id, _ in self.links(incident_id).visible}
        shown: list[TimelineEntry] = []
        for entry in entries:
            text = entry.text
            if entry.kind == "link" and text.removeprefix(LINKED) not in visible:
                text = LINKED_HIDDEN
            shown.append(TimelineEntry(entry.at, entry.kind, entry.side, entry.author, text))
        return shown

    def links(self, incident_id: str) -> Links:
        """Linked objects the caller may see (collection, id, TLP), and how many not."""
        query = (
            select(CyberIncidentLink)
            .where(CyberIncidentLink.incident_id == incident_id)
            .order_by(CyberIncidentLink.linked_at)
        )
        links = list(self.db.scalars(query))
        repo = CyberRepository(self.db, self.caller)
        readable = {c.id: c for c in repo.collections()}
        visible: list[tuple[str, str, str]] = []
        for collection_id in sorted({link.collection_id for link in links}):
            collection = readable.get(collection_id)
            if collection is None:
                continue
            wanted = [link.stix_id for link in links if link.collection_id == collection_id]
            visible.extend(
                (collection_id, o.stix_id, o.tlp) for o in repo.latest_many(collection, wanted)
            )
        return Links(visible, len(links) - len(visible))
