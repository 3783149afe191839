"""Server-side SVG charts. Presentation attributes only (no <style>, no script), so they
pass the pages' Content-Security-Policy, print in WeasyPrint and read without JS."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from liaison.workplan.dashboard import AreaFigures
from liaison.workplan.schemas import Status

STATUS_COLOURS = {
    Status.PLANNED.value: "#8a9bb0",
    Status.IN_PROGRESS.value: "#2b6cb0",
    Status.DONE.value: "#2f855a",
    Status.BLOCKED.value: "#c53030",
    Status.DROPPED.value: "#4a4a4a",
}
MILESTONE_SERIES = (
    ("done", "Done", "#2f855a"),
    ("due_soon", "Due in 30 days", "#d69e2e"),
    ("overdue", "Overdue", "#c53030"),
    ("later", "Later", "#8a9bb0"),
)
_LABEL_W = 300
_BAR_W = 340
_ROW_H = 28
_FONT = 'font-family="DejaVu Sans, Arial, sans-serif" font-size="12"'


def _label(status: str) -> str:
    return status.replace("_", " ").capitalize()


def _frame(title: str, desc: str, height: int, body: list[str]) -> Markup:
    """Every text in ``body`` was escaped where it was added: the SVG is safe markup."""
    width = _LABEL_W + _BAR_W + 60
    key = "".join(ch for ch in title.lower() if ch.isalnum())[:24]
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{key}-t {key}-d">'
        f'<title id="{key}-t">{escape(title)}</title><desc id="{key}-d">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _stacked(rows: list[tuple[str, list[tuple[str, int, str]]]], title: str) -> Markup:
    scale = max((sum(n for _, n, _ in parts) for _, parts in rows), default=0) or 1
    body: list[str] = []
    desc: list[str] = []
    y = 10
    for label, parts in rows:
        body.append(
            f'<text x="{_LABEL_W - 8}" y="{y + 17}" text-anchor="end" {_FONT} fill="#1a202c">'
            f"{escape(label)}</text>"
        )
        x = float(_LABEL_W)
        for name, n, colour in parts:
            if n == 0:
                continue
            w = _BAR_W * n / scale
            body.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{_ROW_H - 6}" '
                f'fill="{colour}"><title>{escape(label)}: {n} {escape(name)}</title></rect>'
            )
            if w >= 18:
                body.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + 16}" text-anchor="middle" {_FONT} '
                    f'fill="#ffffff">{n}</text>'
                )
            x += w
        total = sum(n for _, n, _ in parts)
        body.append(f'<text x="{x + 6:.1f}" y="{y + 16}" {_FONT} fill="#1a202c">{total}</text>')
        desc.append(f"{label}: " + ", ".join(f"{n} {name}" for name, n, _ in parts if n))
        y += _ROW_H
    legend_x = 10
    series = {(name, colour) for _, parts in rows for name, _, colour in parts}
    order = [p for p in (rows[0][1] if rows else []) if (p[0], p[2]) in series]
    y += 8
    for name, _, colour in order:
        body.append(f'<rect x="{legend_x}" y="{y}" width="12" height="12" fill="{colour}"/>')
        body.append(
            f'<text x="{legend_x + 16}" y="{y + 11}" {_FONT} fill="#1a202c">{escape(name)}</text>'
        )
        legend_x += 30 + 7 * len(name)
    return _frame(title, "; ".join(desc) or "no data", y + 22, body)


def status_chart(areas: list[AreaFigures]) -> Markup:
    rows = [
        (area.title, [(_label(s), area.by_status.get(s, 0), c) for s, c in STATUS_COLOURS.items()])
        for area in areas
    ]
    return _stacked(rows, "Actions by status, per priority area")


def milestone_chart(areas: list[AreaFigures]) -> Markup:
    rows = []
    for area in areas:
        later = (
            area.milestones_total
            - area.milestones_done
            - area.milestones_due_soon
            - area.milestones_overdue
        )
        values = {
            "done": area.milestones_done,
            "due_soon": area.milestones_due_soon,
            "overdue": area.milestones_overdue,
            "later": later,
        }
        rows.append((area.title, [(label, values[k], c) for k, label, c in MILESTONE_SERIES]))
    return _stacked(rows, "Milestones: done, due soon, overdue, later")
