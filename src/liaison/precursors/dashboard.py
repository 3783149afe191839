"""The precursors dashboard: flows by substance, route and month, answers per party,
objections and seizures. Read from the monthly roll-up (a few hundred rows however many
notifications there are) and the incidents; also the ``precursors`` figure provider."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from liaison.kit import clock
from liaison.models import PrecursorIncident, PrecursorMonthly, PrecursorNotice, PrecursorSubstance
from liaison.policy.schemas import Tlp

M = PrecursorMonthly
# figures are read by everyone: no text from items with a restricted audience
RESTRICTED = (Tlp.RED.value, Tlp.AMBER_STRICT.value)


class Flow(BaseModel):
    key: str
    label: str
    notices: int
    quantity: float


class PartyAnswers(BaseModel):
    party: str  # the importing party that answers
    notices: int
    answered: int
    objections: int
    info_requests: int
    overdue: int
    mean_answer_hours: float | None


class Seizures(BaseModel):
    substance_cas: str
    label: str
    incidents: int
    quantity: float


class Objection(BaseModel):
    id: str
    reference: str
    importing_party: str
    substance_name: str
    reason: str
    answered_at: datetime | None


class Dashboard(BaseModel):
    as_of: datetime
    notices: int
    by_substance: list[Flow]
    by_route: list[Flow]
    by_month: list[Flow]
    answers: list[PartyAnswers]
    objections: int
    recent_objections: list[Objection]
    seizures: list[Seizures]


def _names(db: Session) -> dict[str, str]:
    rows = db.execute(select(PrecursorSubstance.cas, PrecursorSubstance.name)).all()
    return {cas: name for cas, name in rows}


def _flows(db: Session, column: object, names: dict[str, str] | None = None) -> list[Flow]:
    rows = db.execute(
        select(column, func.sum(M.notices), func.sum(M.quantity)).group_by(column)  # type: ignore[call-overload]
    ).all()
    flows = [
        Flow(
            key=key, label=(names or {}).get(key, key), notices=int(n or 0), quantity=float(q or 0)
        )
        for key, n, q in rows
    ]
    return flows


def build(db: Session, *, shareable_only: bool = False) -> Dashboard:
    """``shareable_only``: for the joint report, which the peer reads: seizures marked
    TLP:RED or AMBER+STRICT (recorded on this node, not sent) are left out."""
    names = _names(db)
    by_substance = sorted(_flows(db, M.substance_cas, names), key=lambda f: -f.notices)
    by_route = sorted(_flows(db, M.route), key=lambda f: -f.notices)
    by_month = sorted(_flows(db, M.month), key=lambda f: f.key)[-12:]
    answers = []
    sums = (
        func.sum(M.notices), func.sum(M.answered), func.sum(M.objections),
        func.sum(M.info_requests), func.sum(M.overdue), func.sum(M.response_seconds),
    )  # fmt: skip
    for party, n, answered, objections, info, overdue, seconds in db.execute(
        select(M.importing_party, *sums).group_by(M.importing_party).order_by(M.importing_party)
    ).all():
        answered = int(answered or 0)
        answers.append(
            PartyAnswers(
                party=party,
                notices=int(n or 0),
                answered=answered,
                objections=int(objections or 0),
                info_requests=int(info or 0),
                overdue=int(overdue or 0),
                mean_answer_hours=(float(seconds) / answered / 3600) if answered else None,
            )
        )
    recent = db.scalars(
        select(PrecursorNotice)
        .where(PrecursorNotice.status == "objection", PrecursorNotice.tlp.not_in(RESTRICTED))
        .order_by(PrecursorNotice.respond_by.desc())
        .limit(10)
    ).all()
    seizures = [
        Seizures(substance_cas=cas, label=names.get(cas, cas), incidents=n, quantity=float(q or 0))
        for cas, n, q in db.execute(
            select(
                PrecursorIncident.substance_cas,
                func.count(),
                func.sum(PrecursorIncident.quantity),
            )
            .where(PrecursorIncident.kind == "seizure")
            .where(PrecursorIncident.tlp.not_in(RESTRICTED) if shareable_only else true())
            .group_by(PrecursorIncident.substance_cas)
        ).all()
    ]
    return Dashboard(
        as_of=clock.now(),
        notices=sum(f.notices for f in by_substance),
        by_substance=by_substance,
        by_route=by_route,
        by_month=by_month,
        answers=answers,
        objections=sum(a.objections for a in answers),
        recent_objections=[
            Objection(
                id=n.id,
                reference=n.reference,
                importing_party=n.importing_party,
                substance_name=n.substance_name,
                reason=n.answer_reason,
                answered_at=n.answered_at,
            )
            for n in recent
        ],
        seizures=sorted(seizures, key=lambda s: -s.quantity),
    )


def figures(db: Session) -> Dashboard:
    """The ``precursors`` figure provider (the workplan dashboard and report may read it)."""
    return build(db)
