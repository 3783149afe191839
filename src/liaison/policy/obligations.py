"""Obligations that someone must discharge: a decision puts them on an item (the CERT-In
6-hour report, a death-penalty assurance to obtain) and they stay open until a user
records how they were met — when (e.g. reported at), a reference (e.g. the CERT-In
acknowledgement number) and a note. Each discharge is in the audit log; the open ones
are shown on the item's case and counted on the dashboard.

Continuing constraints (intelligence only, no onward disclosure) are not discharged:
they ride on the item for as long as it is kept. The disclosure record (SCIDA s. 9) is
the audit log itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from liaison.kit import clock
from liaison.kit.errors import Conflict, Forbidden, ValidationFailed
from liaison.kit.i18n import Text
from liaison.kit.inputs import InputModel
from liaison.kit.plugin import N_
from liaison.kit.repository import found
from liaison.kit.roles import Caller, Role
from liaison.ledger.service import record
from liaison.models.policy import PolicyObligation
from liaison.policy.schemas import Decision, ObligationKind

DISCHARGEABLE = frozenset({ObligationKind.REPORT_BY, ObligationKind.ASSURANCE_REQUIRED})
DISCHARGERS = frozenset({Role.ADMIN, Role.LIAISON_OFFICER, Role.ANALYST, Role.LEGAL_REVIEWER})
LISTERS = frozenset({Role.ADMIN, Role.LEGAL_REVIEWER})


class DischargeIn(InputModel):
    done_at: datetime | None = Field(
        default=None, description="when it was done (e.g. reported to CERT-In at); now if absent"
    )
    reference: str = Field(
        min_length=1, max_length=200, description="e.g. the CERT-In acknowledgement number"
    )
    note: str = Field(default="", max_length=2000)


@dataclass(frozen=True)
class OpenCount:
    open: int
    overdue: int


def open_for(
    db: Session, decision: Decision, *, object_type: str, object_id: str, case_id: str | None
) -> list[PolicyObligation]:
    """Record the obligations of ``decision`` that must be discharged (flushes)."""
    rows = [
        PolicyObligation(
            object_type=object_type,
            object_id=object_id,
            case_id=case_id,
            rule_id=ob.rule_id,
            kind=ob.kind.value,
            citation=ob.citation,
            detail=ob.detail,
            due=ob.due,
        )
        for ob in decision.obligations
        if ob.kind in DISCHARGEABLE
    ]
    db.add_all(rows)
    db.flush()
    return rows


def for_case(db: Session, case_id: str) -> list[PolicyObligation]:
    """Every recorded obligation on a case's items, open ones first."""
    query = (
        select(PolicyObligation)
        .where(PolicyObligation.case_id == case_id)
        .order_by(PolicyObligation.discharged_at.is_not(None), PolicyObligation.opened_at)
    )
    return list(db.scalars(query))


def for_object(db: Session, object_type: str, object_id: str) -> list[PolicyObligation]:
    query = (
        select(PolicyObligation)
        .where(PolicyObligation.object_type == object_type)
        .where(PolicyObligation.object_id == object_id)
        .order_by(PolicyObligation.opened_at)
    )
    return list(db.scalars(query))


def count_open(db: Session) -> OpenCount:
    """Open obligations on this node and how many are past their due time (dashboard)."""
    is_open = PolicyObligation.discharged_at.is_(None)
    total = db.scalar(select(func.count()).where(is_open)) or 0
    overdue = (
        db.scalar(select(func.count()).where(is_open, PolicyObligation.due < clock.now())) or 0
    )
    return OpenCount(open=total, overdue=overdue)


def discharge(
    db: Session, caller: Caller, obligation_id: str, data: DischargeIn
) -> PolicyObligation:
    """Record how an open obligation was met; audited (``policy.obligation.discharge``)."""
    if caller.role not in DISCHARGERS:
        raise Forbidden(N_("only officers, analysts, legal reviewers and administrators discharge"))
    row = found(
        db.get(PolicyObligation, obligation_id),
        Text(N_("no obligation %(obligation_id)s"), obligation_id=obligation_id),
    )
    if row.discharged_at is not None:
        done = N_("this obligation was discharged on %(when)s")
        raise Conflict(Text(done, when=row.discharged_at))
    now = clock.now()
    done_at = clock.as_utc(data.done_at) if data.done_at is not None else now
    if done_at > now:
        raise ValidationFailed.on_field(
            "done_at", N_("the time it was done cannot be in the future")
        )
    _mark(db, row, f"user:{caller.username}", done_at, data.reference.strip(), data.note)
    return row


def settle_assurances(
    db: Session, *, object_type: str, object_id: str, reference: str, actor: str
) -> None:
    """A legal reviewer released the item on a recorded assurance: its open
    ``assurance_required`` obligations are discharged with that reference."""
    rows = db.scalars(
        select(PolicyObligation).where(
            PolicyObligation.object_type == object_type,
            PolicyObligation.object_id == object_id,
            PolicyObligation.kind == ObligationKind.ASSURANCE_REQUIRED.value,
            PolicyObligation.discharged_at.is_(None),
        )
    )
    for row in rows:
        _mark(db, row, actor, clock.now(), reference, "released on review")


def _mark(
    db: Session, row: PolicyObligation, actor: str, done_at: datetime, reference: str, note: str
) -> None:
    row.discharged_at = clock.now()
    row.discharged_by = actor
    row.done_at = done_at
    row.reference = reference
    row.note = note
    record(
        db,
        actor=actor,
        action="policy.obligation.discharge",
        object_type=row.object_type,
        object_id=row.object_id,
        decision="discharged",
        rule_ids=[row.rule_id],
        detail={
            "obligation_id": row.id,
            "kind": row.kind,
            "citation": row.citation,
            "done_at": done_at.isoformat(),
            "reference": reference,
            "late": row.due is not None and done_at > row.due,
        },
    )
    db.flush()


def figure(db: Session) -> OpenCount:
    """The dashboard's figure (``Plugin.figures['obligations']``)."""
    return count_open(db)
