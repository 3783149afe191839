"""The joint progress report (HTML, Markdown, PDF via WeasyPrint).

The joint version holds the agreed plan and, of everything else, only what its owner
marked shareable (a party's non-shareable progress never leaves its node, so it can
only appear in that party's internal version). The internal version holds everything
this node has.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import jinja2
from markupsafe import Markup
from sqlalchemy.orm import Session

import liaison
from liaison.kit import clock, i18n
from liaison.kit.errors import Conflict
from liaison.kit.plugin import N_, Registry, ReportSection, ReportSectionProvider
from liaison.models import DialogueMeeting, DialogueOutcome, WorkplanProgress
from liaison.workplan import consent
from liaison.workplan.charts import milestone_chart, status_chart
from liaison.workplan.dashboard import DashboardOut, ExchangeStatsProvider, build_dashboard
from liaison.workplan.document import parse
from liaison.workplan.repository import WorkplanRepository
from liaison.workplan.schemas import CLOSED_STATUSES, Action, PlanDocument

Format = Literal["html", "pdf", "md"]
MEDIA_TYPES: dict[str, str] = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "md": "text/markdown; charset=utf-8",
}
TEMPLATES = Path(liaison.__file__).parent / "web" / "templates" / "workplan"
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    extensions=["jinja2.ext.i18n"],
)
_env.policies["ext.i18n.trimmed"] = True
# In the language the caller sets in ``liaison.kit.i18n.CURRENT`` (the reader's, on the web).
_env.install_gettext_callables(  # type: ignore[attr-defined]
    gettext=i18n.gettext_, ngettext=i18n.ngettext_, newstyle=True
)
_env.globals["language"] = i18n.CURRENT.get
_env.filters["humanize"] = i18n.label
_env.filters["long_date"] = i18n.long_date


@dataclass
class ActionView:
    action: Action
    tracked_status: str
    milestones: list[tuple[str, date, str]]  # title, due, state
    progress: list[WorkplanProgress] = field(default_factory=list)


@dataclass
class ReportData:
    generated_on: date
    generated_at: datetime
    own_party: str
    internal: bool
    plan: PlanDocument
    version: int
    sha256: str
    signatures: list[tuple[str, str, bool]]
    dashboard: DashboardOut
    areas: list[tuple[str, list[ActionView]]]
    meetings: list[tuple[DialogueMeeting, list[DialogueOutcome]]]
    status_svg: Markup
    milestone_svg: Markup
    sections: list[ReportSection] = field(default_factory=list)  # the domains' own


def _milestone_state(done: bool, due: date, status: str, today: date) -> str:
    if done or status == "done":
        return "done"
    if status in CLOSED_STATUSES:
        return "dropped"
    return "overdue" if due < today else "open"


def build_report(
    db: Session,
    own_party: str,
    *,
    internal: bool,
    exchange: ExchangeStatsProvider | None,
    sections: Sequence[ReportSectionProvider] = (),
) -> ReportData:
    repo = WorkplanRepository(db)
    current = repo.current()
    plan = parse(current.document) if current else None
    if current is None or plan is None or not plan.actions:
        raise Conflict(
            N_(
                "the workplan has no actions yet, so there is nothing to "
                "report: propose actions and have them accepted first"
            )
        )
    today = clock.today()
    tracked = dict(repo.tracked_statuses())
    progress: dict[str, list[WorkplanProgress]] = defaultdict(list)
    for update in repo.progress(shareable_only=not internal):
        progress[update.action_id].append(update)
    areas = []
    for area in plan.areas:
        views = []
        for action in (a for a in plan.actions if a.area == area.key):
            status = tracked.get(action.id or "", action.status.value)
            views.append(
                ActionView(
                    action=action,
                    tracked_status=status,
                    milestones=[
                        (m.title, m.due, _milestone_state(m.done, m.due, status, today))
                        for m in action.milestones
                    ],
                    progress=progress.get(action.id or "", []),
                )
            )
        areas.append((area.title, views))
    outcomes: dict[str, list[DialogueOutcome]] = defaultdict(list)
    for outcome in repo.outcomes(shareable_only=not internal):
        outcomes[outcome.meeting_id].append(outcome)
    dashboard = build_dashboard(db, exchange)
    return ReportData(
        generated_on=today,
        generated_at=clock.now(),
        own_party=own_party,
        internal=internal,
        plan=plan,
        version=current.number,
        sha256=current.sha256,
        signatures=[
            (s.party_code, s.key_id, consent.verify(db, own_party, s, current.sha256))
            for s in repo.signatures(current.number)
        ],
        dashboard=dashboard,
        areas=areas,
        meetings=[(m, outcomes.get(m.id, [])) for m in repo.meetings()],
        status_svg=status_chart(dashboard.areas),
        milestone_svg=milestone_chart(dashboard.areas),
        sections=[s for s in (provide(db, internal) for provide in sections) if s is not None],
    )


def build_for(db: Session, own_party: str, registry: Registry, *, internal: bool) -> ReportData:
    """The report with what the node's plug-ins contribute (exchange figures, sections)."""
    return build_report(
        db,
        own_party,
        internal=internal,
        exchange=registry.figure("exchange"),
        sections=registry.report_sections,
    )


def render_html(data: ReportData) -> str:
    template = _env.get_template("report.html")
    return template.render(
        r=data,
        status_svg=data.status_svg,
        milestone_svg=data.milestone_svg,
        sections=[(s.title, Markup(s.html)) for s in data.sections],  # noqa: S704 (escaped by the domain)
    )


def render_markdown(data: ReportData) -> str:
    kind = "Internal" if data.internal else "Joint"
    lines = [
        f"# {data.plan.title}",
        "",
        f"**{kind} progress report** — {data.generated_on.isoformat()} — version {data.version} "
        f"(SHA-256 `{data.sha256}`)",
        "",
        "## Summary",
        "",
        "| Priority area | Actions | Done | In progress | Blocked | Milestones overdue |",
        "|---|---|---|---|---|---|",
    ]
    for a in data.dashboard.areas:
        lines.append(
            f"| {a.title} | {a.total} | {a.by_status['done']} | {a.by_status['in_progress']} "
            f"| {a.by_status['blocked']} | {a.milestones_overdue} |"
        )
    lines += ["", "## Progress by priority area", ""]
    for title, views in data.areas:
        lines += [f"### {title}", ""]
        for v in views:
            leads = ", ".join(f"{p}: {a}" for p, a in sorted(v.action.leads.items()))
            lines.append(
                f"- **{v.action.description}** ({leads}) — {v.tracked_status.replace('_', ' ')}"
            )
            for m_title, due, state in v.milestones:
                lines.append(f"  - milestone: {m_title}, due {due.isoformat()} — {state}")
            for p in v.progress:
                lines.append(f"  - {p.party_code} {p.reported_at.date().isoformat()}: {p.note}")
        lines.append("")
    lines += ["## Dialogue", ""]
    for meeting, outcomes in data.meetings:
        lines.append(f"### {meeting.held_on.isoformat()}, {meeting.place}: {meeting.title}")
        lines += [f"- {o.kind}: {o.text}" for o in outcomes]
        lines.append("")
    for section in data.sections:
        lines += [f"## {section.title}", "", section.markdown.rstrip(), ""]
    lines += ["## Agreement", ""]
    lines += [
        f"- signed by {party} (key {key_id}): {'verified' if ok else 'NOT verified'}"
        for party, key_id, ok in data.signatures
    ] or ["- no signatures recorded yet"]
    return "\n".join(lines) + "\n"


def render_report(data: ReportData, format: Format) -> bytes:
    if format == "md":
        return render_markdown(data).encode()
    html = render_html(data)
    if format == "html":
        return html.encode()
    # Imported here, not at the top: WeasyPrint loads Pango through cffi, seconds of
    # start-up that every ``liaison`` command and node would otherwise pay.
    from weasyprint import HTML  # type: ignore[import-untyped]

    # PDF/UA-1: tagged (headings, tables, reading order) for screen readers, with the
    # document's language and title.
    pdf: bytes = HTML(string=html).write_pdf(pdf_variant="pdf/ua-1")
    return pdf
