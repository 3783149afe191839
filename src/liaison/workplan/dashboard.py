"""The dashboard's figures: per priority area, actions by status and milestones due or
overdue (two indexed GROUP BY queries, whatever the number of actions), plus exchange
statistics from the provider a plug-in declares as its ``"exchange"`` figure
(``Registry.figure``). Without a provider the panel says "no exchange data yet".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from liaison.kit import clock
from liaison.models import WorkplanAction, WorkplanMilestone
from liaison.workplan.document import parse
from liaison.workplan.repository import WorkplanRepository
from liaison.workplan.schemas import CLOSED_STATUSES, Status

DUE_SOON_DAYS = 30


@dataclass(frozen=True)
class PartyExchangeStats:
    party_code: str
    requests_sent: int
    requests_received: int
    answered_within_deadline: int
    answered_late: int
    median_answer_hours: float | None


@dataclass(frozen=True)
class ExchangeStats:
    """What the information exchange reports about reciprocity and timeliness."""

    parties: list[PartyExchangeStats]
    since: date | None = None


ExchangeStatsProvider = Callable[[Session], ExchangeStats | None]


class AreaFigures(BaseModel):
    key: str
    title: str
    by_status: dict[str, int]
    total: int
    milestones_total: int
    milestones_done: int
    milestones_due_soon: int
    milestones_overdue: int


class DashboardOut(BaseModel):
    as_of: date
    version: int | None
    version_sha256: str | None
    parties: list[str] = Field(default_factory=list, description="the plan's parties")
    areas: list[AreaFigures]
    totals: dict[str, int]
    exchange: ExchangeStats | None


def _status_counts(db: Session) -> dict[str, dict[str, int]]:
    rows = db.execute(
        select(WorkplanAction.area_key, WorkplanAction.status, func.count()).group_by(
            WorkplanAction.area_key, WorkplanAction.status
        )
    ).all()
    counts: dict[str, dict[str, int]] = {}
    for area, status, n in rows:
        counts.setdefault(area, {})[status] = int(n)
    return counts


def _milestone_counts(db: Session, today: date) -> dict[str, tuple[int, int, int, int]]:
    open_ = and_(WorkplanMilestone.done.is_(False), WorkplanAction.status.not_in(CLOSED_STATUSES))
    soon = today + timedelta(days=DUE_SOON_DAYS)

    def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((condition, 1), else_=0))

    rows = db.execute(
        select(
            WorkplanMilestone.area_key,
            func.count(),
            count_if(~open_),
            count_if(and_(open_, WorkplanMilestone.due >= today, WorkplanMilestone.due <= soon)),
            count_if(and_(open_, WorkplanMilestone.due < today)),
        )
        .join(WorkplanAction, WorkplanAction.id == WorkplanMilestone.action_id)
        .group_by(WorkplanMilestone.area_key)
    ).all()
    return {area: (int(t), int(d or 0), int(s or 0), int(o or 0)) for area, t, d, s, o in rows}


_facts: dict[tuple[int, str], tuple[dict[str, str], list[str]]] = {}


def plan_facts(
    repo: WorkplanRepository, head: tuple[int, str] | None
) -> tuple[dict[str, str], list[str]]:
    """Priority areas and parties of the current version. A version never changes, so its
    (possibly large) document is parsed once per hash, not on every render."""
    if head is None:
        return {}, []
    if head not in _facts:
        version = repo.version(head[0])
        if version is None or version.sha256 != head[1]:
            return {}, []
        if len(_facts) > 16:
            _facts.clear()
        document = parse(version.document)
        _facts[head] = ({area.key: area.title for area in document.areas}, document.parties)
    return _facts[head]


def build_dashboard(db: Session, exchange: ExchangeStatsProvider | None) -> DashboardOut:
    today = clock.today()
    repo = WorkplanRepository(db)
    head = repo.current_head()
    titles, parties = plan_facts(repo, head)
    statuses = _status_counts(db)
    milestones = _milestone_counts(db, today)
    areas = []
    totals = {s.value: 0 for s in Status}
    for key in list(titles) + sorted(set(statuses) - set(titles)):
        by_status = {s.value: statuses.get(key, {}).get(s.value, 0) for s in Status}
        for status, n in by_status.items():
            totals[status] += n
        t, d, s, o = milestones.get(key, (0, 0, 0, 0))
        areas.append(
            AreaFigures(
                key=key,
                title=titles.get(key, key),
                by_status=by_status,
                total=sum(by_status.values()),
                milestones_total=t,
                milestones_done=d,
                milestones_due_soon=s,
                milestones_overdue=o,
            )
        )
    return DashboardOut(
        as_of=today,
        version=head[0] if head else None,
        version_sha256=head[1] if head else None,
        parties=list(parties),
        areas=areas,
        totals=totals,
        exchange=exchange(db) if exchange is not None else None,
    )
