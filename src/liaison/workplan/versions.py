"""Version lifecycle shared by the service (local users) and the federation handlers
(the peer): base checks, computing the next version, storing and completing it."""

from __future__ import annotations

from pydantic import TypeAdapter
from sqlalchemy import delete
from sqlalchemy.orm import Session

from liaison.kit import clock
from liaison.kit.errors import Conflict, Message, NotFound
from liaison.kit.i18n import Text, as_text
from liaison.kit.plugin import N_
from liaison.models import WorkplanProposal, WorkplanSignature, WorkplanVersion
from liaison.workplan.document import apply, canonical, parse, sha256_of
from liaison.workplan.repository import WorkplanRepository
from liaison.workplan.schemas import Change, PlanDocument, ProposalStatus
from liaison.workplan.tracking import materialise

CHANGES: TypeAdapter[list[Change]] = TypeAdapter(list[Change])


def current_or_fail(repo: WorkplanRepository) -> WorkplanVersion:
    version = repo.current()
    if version is None:
        raise NotFound(N_("there is no workplan yet: seed version 1 ('liaison seed --demo')"))
    return version


def counterparts(document: PlanDocument, own_party: str) -> list[str]:
    """The plan's other parties (one for a bilateral plan)."""
    return [p for p in document.parties if p != own_party]


def basis(proposer: str, parties: list[str]) -> str:
    """How a version came about: every party but the proposer accepted it."""
    return f"Proposal by {proposer}, accepted by {', '.join(p for p in parties if p != proposer)}"


def drop_pending(db: Session, repo: WorkplanRepository, proposal_id: str) -> bool:
    """Forget this node's pending version of ``proposal_id`` (a party rejected it or it
    lost a race): it can never gather every party's signature."""
    pending = repo.pending()
    if pending is None or pending.proposal_id != proposal_id:
        return False
    db.execute(delete(WorkplanSignature).where(WorkplanSignature.version_number == pending.number))
    db.delete(pending)
    db.flush()
    return True


def check_base(repo: WorkplanRepository, base_number: int, what: Message) -> WorkplanVersion:
    """The base must be the current version, with no other version awaiting signature."""
    current = current_or_fail(repo)
    if base_number != current.number:
        raise Conflict.on_field(
            "base_version",
            Text(
                N_(
                    "%(what)s is against version %(base_number)s, but the "
                    "current version is %(number)s: changes are never merged "
                    "silently; propose again against version %(number)s"
                ),
                what=as_text(what),
                base_number=base_number,
                number=current.number,
            ),
        )
    pending = repo.pending()
    if pending is not None:
        raise Conflict.on_field(
            "base_version",
            Text(
                N_(
                    "version %(number)s (proposal %(proposal_id)s) is already "
                    "accepted and awaiting the countersignature; %(what)s "
                    "against version %(base_number)s conflicts with it"
                ),
                number=pending.number,
                proposal_id=pending.proposal_id,
                what=as_text(what),
                base_number=base_number,
            ),
        )
    return current


def changes_of(proposal: WorkplanProposal) -> list[Change]:
    return CHANGES.validate_python(proposal.changes)


def next_version(
    repo: WorkplanRepository, base: WorkplanVersion, changes: list[Change], proposal_id: str
) -> tuple[PlanDocument, bytes, str]:
    base_document = parse(base.document)
    known = repo.known_agencies(base_document.parties)
    document = apply(base_document, base.sha256, changes, proposal_id, known)
    data = canonical(document)
    return document, data, sha256_of(data)


def store(
    db: Session,
    document_bytes: bytes,
    sha256: str,
    number: int,
    *,
    state: str,
    proposal_id: str | None,
    basis: str,
) -> WorkplanVersion:
    version = WorkplanVersion(
        number=number,
        sha256=sha256,
        document=document_bytes.decode(),
        state=state,
        proposal_id=proposal_id,
        basis=basis,
        accepted_at=clock.now() if state == "accepted" else None,
    )
    db.add(version)
    db.flush()
    return version


def store_first(db: Session, document: PlanDocument, basis: str) -> WorkplanVersion:
    """Version 1, the baseline every party adopted (from the dialogue, or a plan file):
    current at once, as every party holds the same bytes; the nodes exchange their
    signatures on it as soon as they are pinned to each other."""
    data = canonical(document)
    version = store(db, data, sha256_of(data), 1, state="accepted", proposal_id=None, basis=basis)
    materialise(db, version, None)
    return version


def complete(db: Session, repo: WorkplanRepository, version: WorkplanVersion) -> None:
    """Every party's signature is in: the version becomes the current plan."""
    previous = repo.version(version.number - 1)
    version.state = "accepted"
    version.accepted_at = clock.now()
    db.flush()
    materialise(db, version, parse(previous.document) if previous else None)
    if version.proposal_id:
        proposal = repo.proposal(version.proposal_id)
        if proposal is not None:
            proposal.status = ProposalStatus.ACCEPTED.value
            proposal.result_version = version.number
            proposal.decided_at = proposal.decided_at or clock.now()
    db.flush()
