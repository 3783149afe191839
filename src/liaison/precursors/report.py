"""The precursors section of the workplan progress report (``Plugin.report_sections``):
flows by substance, route and month, answers and response times per party, objections
and seizures, as tables and the dashboard's charts (HTML and PDF) or tables (Markdown).

Only figures: no item's text (an objection's reason stays on the dashboard). The joint
report leaves out seizures marked TLP:RED or AMBER+STRICT (``dashboard.build``).
"""

from __future__ import annotations

from html import escape

from sqlalchemy.orm import Session

from liaison.kit.plugin import ReportSection
from liaison.precursors import dashboard
from liaison.precursors.charts import dashboard_charts
from liaison.precursors.dashboard import Dashboard

TITLE = "Fentanyl precursors"
ANSWER_COLUMNS = (
    "Importing party", "Notifications", "Answered", "Objections", "Information requested",
    "Silent past deadline", "Mean answer (h)",
)  # fmt: skip


def _answer_rows(d: Dashboard) -> list[list[str]]:
    return [
        [
            a.party,
            f"{a.notices:,}",
            f"{a.answered:,}",
            f"{a.objections:,}",
            f"{a.info_requests:,}",
            f"{a.overdue:,}",
            "—" if a.mean_answer_hours is None else f"{a.mean_answer_hours:.1f}",
        ]
        for a in d.answers
    ]


def _flow_rows(d: Dashboard) -> list[tuple[str, list[list[str]]]]:
    """(heading, rows of label, notifications, quantity) for each way of cutting flows."""
    cuts = (("substance", d.by_substance), ("route", d.by_route), ("month", d.by_month))
    return [
        (f"Flows by {name}", [[f.label, f"{f.notices:,}", f"{f.quantity:,.1f}"] for f in flows])
        for name, flows in cuts
    ]


def _seizure_rows(d: Dashboard) -> list[list[str]]:
    return [[s.label, f"{s.incidents:,}", f"{s.quantity:,.1f}"] for s in d.seizures]


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _summary(d: Dashboard) -> str:
    seizures = sum(s.incidents for s in d.seizures)
    return (
        f"{_count(d.notices, 'pre-export notification')}, {_count(d.objections, 'objection')}, "
        f"{_count(seizures, 'seizure')} (as of {d.as_of:%Y-%m-%d %H:%M} UTC; quantities in "
        "kg or L)."
    )


def _html_table(header: tuple[str, ...], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    empty = f'<tr><td colspan="{len(header)}">None.</td></tr>'
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body or empty}</tbody></table>"


def _md_table(header: tuple[str, ...], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows] or ["| None. |"]
    return [*lines, ""]


def html(d: Dashboard) -> str:
    charts = dashboard_charts(d)
    parts = [f"<p>{escape(_summary(d))}</p>", "<h3>Answers per importing party</h3>"]
    parts.append(_html_table(ANSWER_COLUMNS, _answer_rows(d)))
    flows = zip(_flow_rows(d), ("substance_svg", "route_svg", "month_svg"), strict=True)
    for (heading, _rows), chart in flows:
        parts += [f"<h3>{escape(heading)}</h3>", f'<div class="chart">{charts[chart]}</div>']
    parts += ["<h3>Seizures</h3>", f'<div class="chart">{charts["seizure_svg"]}</div>']
    return "\n".join(parts)


def markdown(d: Dashboard) -> str:
    lines = [_summary(d), "", "### Answers per importing party", ""]
    lines += _md_table(ANSWER_COLUMNS, _answer_rows(d))
    for heading, rows in _flow_rows(d):
        lines += [f"### {heading}", ""]
        lines += _md_table(("", "Notifications", "Quantity"), rows)
    lines += ["### Seizures", ""]
    lines += _md_table(("Substance", "Seizures", "Quantity"), _seizure_rows(d))
    return "\n".join(lines)


def section(db: Session, internal: bool) -> ReportSection | None:
    """The section, or None while this node has no notification and no seizure."""
    d = dashboard.build(db, shareable_only=not internal)
    if not d.notices and not d.seizures:
        return None
    return ReportSection(title=TITLE, html=html(d), markdown=markdown(d))
