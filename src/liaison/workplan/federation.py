"""The consent protocol between the nodes of the plan's parties (two, or more).

workplan.proposal   a change set against base version N (or a counter-proposal), to every
                    other party
workplan.response   accept (to the proposer, with the acceptor's signature on version N+1);
                    reject and conflict (to every other party: the version is dead everywhere)
workplan.signature  a node's signature on a version (the proposer's, signed last, or version
                    1's), or another party's relayed by the proposer (``party`` names it)
workplan.progress   a progress update on an action (no consent needed; shareable only)
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field
from sqlalchemy.orm import Session

from liaison.config import Settings
from liaison.federation.outbox import enqueue
from liaison.kit import clock
from liaison.kit.errors import LiaisonError
from liaison.kit.inputs import ID_PATTERN, InputModel
from liaison.kit.plugin import InboundContext, PayloadRefused
from liaison.ledger.service import trail
from liaison.models import (
    Peer,
    WorkplanProgress,
    WorkplanProposal,
    WorkplanSignature,
    WorkplanVersion,
)
from liaison.workplan import consent, gathering, versions
from liaison.workplan.document import dump_changes, has_all_ids, parse
from liaison.workplan.gathering import SIGNATURE, SignatureMessage
from liaison.workplan.repository import WorkplanRepository
from liaison.workplan.schemas import (
    PARTY_PATTERN,
    SHA256_PATTERN,
    Change,
    EvidenceLink,
    ProposalStatus,
    Status,
)

PROPOSAL = "workplan.proposal"
RESPONSE = "workplan.response"
PROGRESS = "workplan.progress"
__all__ = ["SIGNATURE", "SignatureMessage"]
# A proposal some party may still sign: a rejection or a lost race ends it on every node.
LIVE = (ProposalStatus.OPEN.value, ProposalStatus.AWAITING_COUNTERSIGNATURE.value)


class ProposalMessage(InputModel):
    id: str = Field(pattern=ID_PATTERN)
    base_number: int = Field(ge=1)
    base_sha256: str = Field(pattern=SHA256_PATTERN)
    proposer_party: str = Field(pattern=PARTY_PATTERN)
    proposed_by: str = Field(max_length=300)
    note: str = Field(max_length=2000)
    changes: list[Change] = Field(min_length=1, max_length=200)
    counter_to: str | None = Field(default=None, pattern=ID_PATTERN)


class ResponseMessage(InputModel):
    proposal_id: str = Field(pattern=ID_PATTERN)
    decision: Literal["accept", "reject", "conflict"]
    reason: str = Field(default="", max_length=2000)
    signed: SignatureMessage | None = None


class ProgressMessage(InputModel):
    id: str = Field(pattern=ID_PATTERN)
    action_id: str = Field(pattern=ID_PATTERN)
    party_code: str = Field(pattern=PARTY_PATTERN)
    author: str = Field(max_length=300)
    note: str = Field(min_length=1, max_length=4000)
    status: Status | None = None
    evidence: list[EvidenceLink] = Field(default_factory=list, max_length=20)
    reported_at: datetime


# sending ---------------------------------------------------------------------
def send_proposal(db: Session, proposal: WorkplanProposal, to: list[str]) -> None:
    message = ProposalMessage.model_validate(proposal, from_attributes=True)
    enqueue(db, PROPOSAL, message.model_dump(mode="json", exclude_none=True), peers=to)


def send_response(
    db: Session,
    proposal_id: str,
    decision: str,
    to: list[str],
    *,
    reason: str = "",
    signed: dict[str, object] | None = None,
) -> None:
    payload: dict[str, Any] = {"proposal_id": proposal_id, "decision": decision, "reason": reason}
    if signed is not None:
        payload["signed"] = signed
    enqueue(db, RESPONSE, ResponseMessage.model_validate(payload).model_dump(mode="json"), peers=to)


def send_signature(
    db: Session, version: WorkplanVersion, row: WorkplanSignature, to: list[str]
) -> None:
    enqueue(db, SIGNATURE, consent.signature_payload(version, row), peers=to)
    consent.mark_shared(row)


def send_progress(db: Session, update: WorkplanProgress, to: list[str]) -> None:
    message = ProgressMessage.model_validate(update, from_attributes=True)
    enqueue(db, PROGRESS, message.model_dump(mode="json", exclude_none=True), peers=to)


# receiving -------------------------------------------------------------------
def apply_proposal(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    message = ProposalMessage.model_validate(payload)
    if message.proposer_party != context.sender_party:
        raise PayloadRefused("policy_refused", "a node proposes only in its own party's name")
    repo = WorkplanRepository(db)
    if repo.proposal(message.id) is not None:
        return
    if not has_all_ids(message.changes):
        raise PayloadRefused("invalid_payload", "new actions and milestones must carry ids")
    base = repo.version(message.base_number)
    if base is None or base.sha256 != message.base_sha256:
        raise PayloadRefused(
            "invalid_payload", f"base version {message.base_number} differs from this node's"
        )
    try:
        versions.next_version(repo, base, message.changes, message.id)
    except LiaisonError as exc:
        raise PayloadRefused("invalid_payload", str(exc)) from exc
    if message.counter_to is not None:
        original = repo.proposal(message.counter_to)
        if original is None or original.proposer_party == context.sender_party:
            raise PayloadRefused("invalid_payload", "a counter-proposal answers another party's")
        if original.status in LIVE:
            original.status = ProposalStatus.COUNTERED.value
            original.decided_at = clock.now()
            versions.drop_pending(db, repo, original.id)
    data = message.model_dump(exclude={"changes"})
    db.add(WorkplanProposal(**data, changes=dump_changes(message.changes)))
    db.flush()


def _ours(db: Session, context: InboundContext, proposal_id: str) -> WorkplanProposal:
    proposal = WorkplanRepository(db).proposal(proposal_id)
    if proposal is None or proposal.proposer_party != context.settings.party:
        raise PayloadRefused("invalid_payload", f"no proposal {proposal_id} of this node")
    return proposal


def _stop(db: Session, context: InboundContext, message: ResponseMessage) -> None:
    """A party rejected the proposal, or its proposer found it lost a race: no node may
    make it current, so this node drops its pending version of it."""
    repo = WorkplanRepository(db)
    versions.drop_pending(db, repo, message.proposal_id)
    proposal = repo.proposal(message.proposal_id)
    if proposal is None:
        return
    if proposal.status in LIVE:
        rejected = message.decision == "reject"
        status = ProposalStatus.REJECTED if rejected else ProposalStatus.CONFLICT
        proposal.status = status.value
        proposal.reason = message.reason
        proposal.decided_at = clock.now()
    trail(
        db, f"node:{context.sender_party}", f"workplan.proposal.{message.decision}",
        PROPOSAL, proposal.id, by=context.sender_party,
    )  # fmt: skip
    db.flush()


def _conflict(db: Session, context: InboundContext, proposal: WorkplanProposal, why: str) -> None:
    proposal.status = ProposalStatus.CONFLICT.value
    proposal.reason = why
    proposal.decided_at = clock.now()
    base = versions.current_or_fail(WorkplanRepository(db))
    to = versions.counterparts(parse(base.document), context.settings.party)
    send_response(db, proposal.id, "conflict", to, reason=why)


def _pending_for(
    db: Session, context: InboundContext, proposal: WorkplanProposal
) -> WorkplanVersion | None:
    """This node's pending version of its own proposal, stored at the first acceptance."""
    repo = WorkplanRepository(db)
    pending = repo.pending()
    if pending is not None and pending.proposal_id == proposal.id:
        return pending
    try:
        base = versions.check_base(repo, proposal.base_number, f"proposal {proposal.id}")
    except LiaisonError as exc:
        _conflict(db, context, proposal, str(exc))
        return None
    changes = versions.changes_of(proposal)
    document, data, sha256 = versions.next_version(repo, base, changes, proposal.id)
    return versions.store(
        db,
        data,
        sha256,
        base.number + 1,
        state="pending",
        proposal_id=proposal.id,
        basis=versions.basis(proposal.proposer_party, document.parties),
    )


def apply_response(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    message = ResponseMessage.model_validate(payload)
    if message.decision != "accept":
        _stop(db, context, message)
        return
    proposal = _ours(db, context, message.proposal_id)
    if proposal.status != ProposalStatus.OPEN.value:
        return
    if message.signed is None:
        raise PayloadRefused("invalid_payload", "an acceptance carries the acceptor's signature")
    version = _pending_for(db, context, proposal)
    if version is None:
        return
    gathering.store_signature(db, context, version, message.signed)
    own = context.settings.party
    if consent.unsigned(db, version, gathering.parties_of(version)) != [own]:
        return  # other parties have still to decide
    consent.sign(db, context.settings, version)
    gathering.relay(db, version, own)
    gathering.finish(db, context, version)


def apply_signature(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    message = SignatureMessage.model_validate(payload)
    repo = WorkplanRepository(db)
    version = repo.version(message.version)
    if version is None:
        raise PayloadRefused("invalid_payload", f"this node has no version {message.version}")
    new = gathering.store_signature(db, context, version, message)
    signer = message.party or context.sender_party
    if new and version.number == 1 and signer == context.sender_party:
        _sign_back(db, context, version)
    gathering.finish(db, context, version)


def _sign_back(db: Session, context: InboundContext, version: WorkplanVersion) -> None:
    """Each node makes version 1 on its own (seeded or adopted), so this node's signature
    may have reached the sender before the sender held the version, and been refused:
    the sender's first signature on it is answered with this node's own."""
    own = WorkplanRepository(db).signature(version.number, context.settings.party)
    if own is not None:
        send_signature(db, version, own, [context.sender_party])


def apply_progress(db: Session, context: InboundContext, payload: dict[str, Any]) -> None:
    message = ProgressMessage.model_validate(payload)
    if message.party_code != context.sender_party:
        raise PayloadRefused("policy_refused", "a node reports only its own party's progress")
    repo = WorkplanRepository(db)
    if db.get(WorkplanProgress, message.id) is not None:
        return
    action = repo.action(message.action_id)
    if action is None:
        raise PayloadRefused("invalid_payload", f"no action {message.action_id} in the plan")
    data = message.model_dump(exclude={"evidence", "status"})
    db.add(
        WorkplanProgress(
            **data,
            status=message.status.value if message.status else None,
            evidence=[e.model_dump() for e in message.evidence],
            shareable=True,
            origin_node=context.sender_node,
        )
    )
    if message.status is not None:
        action.status = message.status.value
        action.status_updated_at = clock.now()
    db.flush()


# version 1 and any signature not yet sent -------------------------------------
def share_signatures(db: Session, settings: Settings) -> int:
    """Sign every accepted version this node has not signed (version 1, seeded from the
    dialogue) and send each own signature the plan's other parties have not had yet. Idempotent; the
    worker runs it, so the baseline is signed by both nodes on first peering."""
    repo = WorkplanRepository(db)
    sent = 0
    for version in repo.unshared_versions(settings.party):
        own = consent.sign(db, settings, version)
        others = versions.counterparts(parse(version.document), settings.party)
        if any(db.get(Peer, party) is None for party in others):
            continue  # sent once every other party of the plan is pinned
        send_signature(db, version, own, others)
        sent += 1
    db.flush()
    return sent
