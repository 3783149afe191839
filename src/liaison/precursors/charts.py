"""Horizontal bar charts as server-rendered SVG (presentation attributes only, so they
pass the pages' Content-Security-Policy and read without JavaScript)."""

from __future__ import annotations

from html import escape

from markupsafe import Markup

from liaison.precursors.dashboard import Dashboard

_LABEL_W = 260
_BAR_W = 360
_ROW_H = 24
_FONT = 'font-family="DejaVu Sans, Arial, sans-serif" font-size="12"'


def bars(title: str, items: list[tuple[str, float]], unit: str = "") -> Markup:
    """One bar per (label, value), scaled to the largest; values printed at the bar's end."""
    top = max((v for _, v in items), default=0.0) or 1.0
    parts: list[str] = []
    for row, (label, value) in enumerate(items):
        y = 8 + row * _ROW_H
        width = _BAR_W * value / top
        text = f"{value:,.0f}{(' ' + unit) if unit else ''}"
        parts.append(
            f'<text x="{_LABEL_W - 8}" y="{y + 14}" text-anchor="end" {_FONT} fill="#1a202c">'
            f"{escape(label[:40])}</text>"
            f'<rect x="{_LABEL_W}" y="{y}" width="{width:.1f}" height="{_ROW_H - 6}" '
            f'fill="#2b6cb0"><title>{escape(label)}: {escape(text)}</title></rect>'
            f'<text x="{_LABEL_W + width + 6:.1f}" y="{y + 14}" {_FONT} fill="#1a202c">'
            f"{escape(text)}</text>"
        )
    height = 16 + _ROW_H * max(len(items), 1)
    width = _LABEL_W + _BAR_W + 90
    desc = "; ".join(f"{label}: {value:,.0f}" for label, value in items) or "no data"
    return Markup(  # noqa: S704  (every text above is escaped)
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}"><title>{escape(title)}</title>'
        f"<desc>{escape(desc)}</desc>{''.join(parts)}</svg>"
    )


def dashboard_charts(d: Dashboard) -> dict[str, Markup]:
    """The dashboard's four charts (the page and the workplan report show the same)."""
    return {
        "substance_svg": bars(
            "Notified quantity by substance",
            [(f.label, f.quantity) for f in d.by_substance],
            "kg/L",
        ),
        "route_svg": bars("Notifications by route", [(f.label, f.notices) for f in d.by_route]),
        "month_svg": bars("Notifications by month", [(f.label, f.notices) for f in d.by_month]),
        "seizure_svg": bars(
            "Seized quantity by substance", [(s.label, s.quantity) for s in d.seizures], "kg/L"
        ),
    }
