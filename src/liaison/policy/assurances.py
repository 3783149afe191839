"""Assurances are records, not strings: a reference releases a death-penalty hold only
if it names a recorded death-penalty assurance, unexpired today, given by every
death-penalty party on the item's route, whose scope (any / case / person / offence)
covers the item. Anything else is treated as no assurance at all.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from liaison.kit import clock
from liaison.models.policy import Assurance
from liaison.policy.facts import death_penalty_parties
from liaison.policy.schemas import PolicySubject

DEATH_PENALTY = "death_penalty"


def unusable(row: Assurance) -> str | None:
    """Why a recorded assurance cannot release a death-penalty hold at all, or None."""
    if row.kind != DEATH_PENALTY:
        return f"assurance {row.reference} is a {row.kind} assurance, not a death-penalty one"
    if row.party is None:
        return f"assurance {row.reference} does not record the state that gave it"
    if row.expires_on is not None and row.expires_on < clock.today():
        return f"assurance {row.reference} expired on {row.expires_on.isoformat()}"
    return None


def covers(row: Assurance, subject: PolicySubject) -> bool:
    """Whether the recorded assurance releases the subject's death-penalty hold."""
    if unusable(row) is not None:
        return False
    if set(death_penalty_parties(subject)) - {row.party}:
        return False
    value = row.scope_value.strip()
    if row.scope == "case":
        return subject.case_reference == value
    if row.scope == "offence":
        return value in subject.offences
    if row.scope == "person":
        return any(p.label.casefold() == value.casefold() for p in subject.persons)
    return row.scope == "any"


def verified(db: Session, subject: PolicySubject) -> PolicySubject:
    """The subject with its assurance reference kept only if a covering record backs it."""
    reference = (subject.death_penalty_assurance or "").strip()
    if not reference:
        return subject
    row = db.scalar(select(Assurance).where(Assurance.reference == reference))
    if row is not None and covers(row, subject):
        return subject
    return subject.model_copy(update={"death_penalty_assurance": None})


def matching(db: Session, subject: PolicySubject) -> list[Assurance]:
    """Recorded assurances that would release the subject's hold (for the review page)."""
    rows = db.scalars(select(Assurance).where(Assurance.kind == DEATH_PENALTY))
    return [row for row in rows if covers(row, subject)]
