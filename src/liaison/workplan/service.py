"""Workplan rules for local users: propose, accept, counter-propose, reject, report progress.

Services flush, never commit. Nothing here edits an accepted version: a change is a
proposal, and a new version exists only once both nodes have signed it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.kit import clock
from liaison.kit.errors import Conflict, Forbidden, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.ids import new_id
from liaison.kit.plugin import N_
from liaison.kit.repository import found
from liaison.kit.roles import Caller, Role
from liaison.ledger.service import trail
from liaison.models import Peer, WorkplanProgress, WorkplanProposal, WorkplanVersion
from liaison.workplan import consent, versions
from liaison.workplan.document import check_plan, dump_changes, normalise, parse
from liaison.workplan.federation import (
    send_progress,
    send_proposal,
    send_response,
    share_signatures,
)
from liaison.workplan.repository import WorkplanRepository
from liaison.workplan.schemas import (
    Change,
    CounterCreate,
    PlanDocument,
    ProgressCreate,
    ProposalCreate,
    ProposalStatus,
    RejectCreate,
)

ADOPTERS = frozenset({Role.ADMIN})
DECIDERS = frozenset({Role.ADMIN, Role.LIAISON_OFFICER})
REPORTERS = frozenset({Role.ADMIN, Role.LIAISON_OFFICER, Role.ANALYST})


PROPOSAL = "workplan.proposal"


class WorkplanService:
    def __init__(self, db: Session, caller: Caller, settings: Settings) -> None:
        self.db = db
        self.caller = caller
        self.settings = settings
        self.repo = WorkplanRepository(db, caller)

    def _require(self, roles: frozenset[Role], refusal: str) -> None:
        if self.caller.role not in roles:
            raise Forbidden(refusal)

    def get_version(self, number: int) -> WorkplanVersion:
        version = found(
            self.repo.version(number), Text(N_("no workplan version %(number)s"), number=number)
        )
        return version

    def get_proposal(self, proposal_id: str) -> WorkplanProposal:
        proposal = found(
            self.repo.proposal(proposal_id),
            Text(N_("no proposal %(proposal_id)s"), proposal_id=proposal_id),
        )
        return proposal

    def edit_version(self, number: int) -> None:
        """Accepted versions are immutable; the refusal says what to do instead."""
        version = self.get_version(number)
        raise Conflict(
            Text(
                N_(
                    "workplan version %(number)s is %(state)s and cannot be "
                    "edited: propose a change against version %(number)s instead "
                    "(POST /api/v1/workplan/proposals)"
                ),
                number=version.number,
                state=version.state,
            )
        )

    def _others(self) -> list[str]:
        current = versions.current_or_fail(self.repo)
        return versions.counterparts(parse(current.document), self.settings.party)

    def adopt(self, document: PlanDocument) -> WorkplanVersion:
        """Version 1 of a plan every party adopts (a multilateral plan agreed at a dialogue):
        the same document on every party's node; each node then signs it."""
        self._require(ADOPTERS, N_("only an administrator may adopt a workplan"))
        parties = document.parties
        if document.number != 1 or document.base_sha256 or document.proposal:
            raise ValidationFailed.on_field(
                "number", N_("an adopted plan is version 1, with no base and no proposal")
            )
        if len(set(parties)) != len(parties) or len(parties) < 2:
            raise ValidationFailed.on_field("parties", N_("name two or more different parties"))
        if self.settings.party not in parties:
            raise ValidationFailed.on_field(
                "parties",
                Text(N_("%(party)s is not a party of this plan"), party=self.settings.party),
            )
        if document.period.start > document.period.end:
            raise ValidationFailed.on_field("period", N_("the period ends before it starts"))
        check_plan(document, self.repo.known_agencies(parties))
        if self.repo.version(1) is not None:
            raise Conflict(N_("this node already holds a workplan: change it by proposals"))
        version = versions.store_first(
            self.db, document, f"Adopted by {', '.join(parties)}: {document.title}"[:300]
        )
        trail(
            self.db, self.caller, "workplan.adopted", "workplan.version", "1",
            sha256=version.sha256, parties=parties,
        )  # fmt: skip
        share_signatures(self.db, self.settings)  # now if every party is pinned, else later
        return version

    # proposals ------------------------------------------------------------------
    def _new_proposal(
        self, base_number: int, changes: list[Change], note: str, counter_to: str | None
    ) -> WorkplanProposal:
        base = versions.check_base(self.repo, base_number, N_("this proposal"))
        proposal_id = new_id()
        normalised = normalise(changes, new_id)
        versions.next_version(self.repo, base, normalised, proposal_id)  # validates
        proposal = WorkplanProposal(
            id=proposal_id,
            base_number=base.number,
            base_sha256=base.sha256,
            proposer_party=self.caller.party_code,
            proposed_by=self.caller.display_name,
            note=note,
            changes=dump_changes(normalised),
            counter_to=counter_to,
            status=ProposalStatus.OPEN.value,
        )
        self.db.add(proposal)
        self.db.flush()
        trail(
            self.db, self.caller, "workplan.proposal.made", PROPOSAL, proposal.id,
            base_version=base.number, changes=len(normalised), counter_to=counter_to,
        )  # fmt: skip
        send_proposal(
            self.db, proposal, versions.counterparts(parse(base.document), self.settings.party)
        )
        return proposal

    def propose(self, data: ProposalCreate) -> WorkplanProposal:
        self._require(
            DECIDERS, N_("only an administrator or a liaison officer may propose workplan changes")
        )
        return self._new_proposal(data.base_version, data.changes, data.note, None)

    def _open_from_peer(self, proposal_id: str) -> WorkplanProposal:
        self._require(
            DECIDERS,
            N_(
                "only an administrator or a liaison officer may decide on the other "
                "party's proposals"
            ),
        )
        proposal = self.get_proposal(proposal_id)
        if proposal.proposer_party == self.settings.party:
            raise Conflict(
                Text(
                    N_("proposal %(id)s is this party's own: the other party decides on it"),
                    id=proposal.id,
                )
            )
        if proposal.status != ProposalStatus.OPEN.value:
            raise Conflict(
                Text(
                    N_("proposal %(id)s is %(status)s, no longer open"),
                    id=proposal.id,
                    status=proposal.status,
                )
            )
        return proposal

    def accept(self, proposal_id: str) -> WorkplanVersion:
        proposal = self._open_from_peer(proposal_id)
        base = versions.check_base(
            self.repo, proposal.base_number, Text(N_("proposal %(id)s"), id=proposal.id)
        )
        document, data, sha256 = versions.next_version(
            self.repo, base, versions.changes_of(proposal), proposal.id
        )
        version = versions.store(
            self.db,
            data,
            sha256,
            base.number + 1,
            state="pending",
            proposal_id=proposal.id,
            basis=versions.basis(proposal.proposer_party, document.parties),
        )
        own = consent.sign(self.db, self.settings, version)
        consent.mark_shared(own)
        trail(
            self.db, self.caller, "workplan.proposal.accepted", PROPOSAL, proposal.id,
            version=version.number, sha256=sha256,
        )  # fmt: skip
        proposal.status = ProposalStatus.AWAITING_COUNTERSIGNATURE.value
        proposal.result_version = version.number
        proposal.decided_at = clock.now()
        send_response(
            self.db,
            proposal.id,
            "accept",
            [proposal.proposer_party],
            signed=consent.signature_payload(version, own),
        )
        self.db.flush()
        return version

    def reject(self, proposal_id: str, data: RejectCreate) -> WorkplanProposal:
        proposal = self._open_from_peer(proposal_id)
        proposal.status = ProposalStatus.REJECTED.value
        proposal.reason = data.reason
        proposal.decided_at = clock.now()
        trail(self.db, self.caller, "workplan.proposal.rejected", PROPOSAL, proposal.id)
        # Every other party hears it: a version one party refuses is current nowhere.
        send_response(self.db, proposal.id, "reject", self._others(), reason=data.reason)
        self.db.flush()
        return proposal

    def counter(self, proposal_id: str, data: CounterCreate) -> WorkplanProposal:
        original = self._open_from_peer(proposal_id)
        counter = self._new_proposal(original.base_number, data.changes, data.note, original.id)
        original.status = ProposalStatus.COUNTERED.value
        original.decided_at = clock.now()
        trail(
            self.db, self.caller, "workplan.proposal.countered", PROPOSAL, original.id,
            counter=counter.id,
        )  # fmt: skip
        self.db.flush()
        return counter

    # progress ---------------------------------------------------------------------
    def report_progress(self, action_id: str, data: ProgressCreate) -> WorkplanProgress:
        self._require(
            REPORTERS,
            N_("only an administrator, a liaison officer or an analyst may report progress"),
        )
        action = found(
            self.repo.action(action_id),
            Text(N_("no action %(action_id)s in the current workplan"), action_id=action_id),
        )
        if self.caller.party_code not in action.leads:
            raise Forbidden(
                Text(
                    N_("%(party_code)s does not lead this action"),
                    party_code=self.caller.party_code,
                )
            )
        update = WorkplanProgress(
            id=new_id(),
            action_id=action.id,
            party_code=self.caller.party_code,
            author=self.caller.display_name,
            note=data.note,
            status=data.status.value if data.status else None,
            evidence=[e.model_dump() for e in data.evidence],
            shareable=data.shareable,
            reported_at=clock.now(),
        )
        self.db.add(update)
        if data.status is not None:
            action.status = data.status.value
            action.status_updated_at = clock.now()
        self.db.flush()
        trail(
            self.db, self.caller, "workplan.progress.reported", "workplan.action", action.id,
            status=update.status, shareable=update.shareable,
        )  # fmt: skip
        if data.shareable:
            to = [
                party
                for party in sorted(action.leads)
                if party != self.caller.party_code and self.db.get(Peer, party) is not None
            ]
            if to:
                send_progress(self.db, update, to)
        return update
