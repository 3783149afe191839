"""Workplan queries. The plan is co-owned: every user of the node may read it; what a
user may change is decided in the service."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.kit.repository import Repository
from liaison.kit.roles import Caller
from liaison.models import (
    Agency,
    DialogueMeeting,
    DialogueOutcome,
    WorkplanAction,
    WorkplanProgress,
    WorkplanProposal,
    WorkplanSignature,
    WorkplanVersion,
)
from liaison.workplan.document import KnownAgencies


class WorkplanRepository(Repository[Caller | None]):
    def __init__(self, db: Session, caller: Caller | None = None) -> None:
        super().__init__(db, caller)

    # versions ---------------------------------------------------------------
    def current(self) -> WorkplanVersion | None:
        return self.db.scalar(
            select(WorkplanVersion)
            .where(WorkplanVersion.state == "accepted")
            .order_by(WorkplanVersion.number.desc())
            .limit(1)
        )

    def current_head(self) -> tuple[int, str] | None:
        """Number and hash of the current version, without loading its document."""
        row = self.db.execute(
            select(WorkplanVersion.number, WorkplanVersion.sha256)
            .where(WorkplanVersion.state == "accepted")
            .order_by(WorkplanVersion.number.desc())
            .limit(1)
        ).first()
        return (int(row[0]), str(row[1])) if row else None

    def version(self, number: int) -> WorkplanVersion | None:
        return self.db.get(WorkplanVersion, number)

    def pending(self) -> WorkplanVersion | None:
        return self.db.scalar(select(WorkplanVersion).where(WorkplanVersion.state == "pending"))

    def versions(self) -> Sequence[WorkplanVersion]:
        return self.db.scalars(
            select(WorkplanVersion).order_by(WorkplanVersion.number.desc())
        ).all()

    def unshared_versions(self, own_party: str) -> Sequence[WorkplanVersion]:
        """Accepted versions whose own signature has not been sent to the peer."""
        shared = select(WorkplanSignature.version_number).where(
            WorkplanSignature.party_code == own_party, WorkplanSignature.shared_at.is_not(None)
        )
        return self.db.scalars(
            select(WorkplanVersion).where(
                WorkplanVersion.state == "accepted", WorkplanVersion.number.not_in(shared)
            )
        ).all()

    def signatures(self, number: int) -> Sequence[WorkplanSignature]:
        return self.db.scalars(
            select(WorkplanSignature)
            .where(WorkplanSignature.version_number == number)
            .order_by(WorkplanSignature.party_code)
        ).all()

    def signature(self, number: int, party: str) -> WorkplanSignature | None:
        return self.db.scalar(
            select(WorkplanSignature).where(
                WorkplanSignature.version_number == number,
                WorkplanSignature.party_code == party,
            )
        )

    # proposals ----------------------------------------------------------------
    def proposals(self, limit: int = 100) -> Sequence[WorkplanProposal]:
        return self.db.scalars(
            select(WorkplanProposal).order_by(WorkplanProposal.created_at.desc()).limit(limit)
        ).all()

    def proposal(self, proposal_id: str) -> WorkplanProposal | None:
        return self.db.get(WorkplanProposal, proposal_id)

    # actions and progress -------------------------------------------------------
    def action(self, action_id: str) -> WorkplanAction | None:
        return self.db.get(WorkplanAction, action_id)

    def actions(self, ids: set[str]) -> dict[str, WorkplanAction]:
        found = self.db.scalars(select(WorkplanAction).where(WorkplanAction.id.in_(ids)))
        return {action.id: action for action in found}

    def tracked_statuses(self) -> list[tuple[str, str]]:
        rows = self.db.execute(select(WorkplanAction.id, WorkplanAction.status)).all()
        return [(action_id, status) for action_id, status in rows]

    def progress_for(self, action_id: str) -> Sequence[WorkplanProgress]:
        return self.db.scalars(
            select(WorkplanProgress)
            .where(WorkplanProgress.action_id == action_id)
            .order_by(WorkplanProgress.reported_at.desc())
        ).all()

    def progress(self, *, shareable_only: bool = False) -> Sequence[WorkplanProgress]:
        query = select(WorkplanProgress).order_by(WorkplanProgress.reported_at)
        if shareable_only:
            query = query.where(WorkplanProgress.shareable.is_(True))
        return self.db.scalars(query).all()

    def known_agencies(self, parties: list[str]) -> KnownAgencies:
        rows = self.db.execute(
            select(Agency.party_code, Agency.acronym).where(Agency.party_code.in_(parties))
        ).all()
        known: dict[str, set[str]] = {party: set() for party in parties}
        for party, acronym in rows:
            known[party].add(acronym)
        return known

    # dialogue -------------------------------------------------------------------
    def meetings(self) -> Sequence[DialogueMeeting]:
        return self.db.scalars(select(DialogueMeeting).order_by(DialogueMeeting.held_on)).all()

    def outcomes(self, *, shareable_only: bool = False) -> Sequence[DialogueOutcome]:
        query = select(DialogueOutcome).order_by(
            DialogueOutcome.meeting_id, DialogueOutcome.position
        )
        if shareable_only:
            query = query.where(DialogueOutcome.shareable.is_(True))
        return self.db.scalars(query).all()
