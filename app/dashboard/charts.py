"""Server-side SVG charts: accessible horizontal bar charts and a funnel, as markup strings.

No JavaScript and no external library: every chart is an `<svg role="img">` with an aria-label,
a `<title>`, a `<desc>` listing the values in words, and visible text labels and values.
"""
from __future__ import annotations

from typing import Sequence

from markupsafe import Markup, escape

BAR_COLOUR = "#0d6efd"  # Bootstrap primary: 4.5:1 against white for the value text beside it
TRACK_COLOUR = "#e9ecef"
TEXT_COLOUR = "#212529"
MUTED_COLOUR = "#495057"
FONT = "system-ui, -apple-system, 'Apple SD Gothic Neo', 'Malgun Gothic', sans-serif"


def _number(value: float) -> str:
    return f"{value:,.1f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value:,}"


def _svg(width: int, height: int, title: str, description: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-label="{escape(title)}" font-family="{escape(FONT)}" font-size="15">'
        f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
        + "".join(body) + "</svg>"
    )


def bar_chart(title: str, rows: Sequence[tuple[str, float]], *, unit: str = "",
              width: int = 640, label_width: int = 190, bar_height: int = 26,
              gap: int = 8) -> Markup:
    """A horizontal bar chart of (label, value) rows, each bar labelled with its value."""
    rows = list(rows)
    description = ", ".join(f"{name}: {_number(value)}{unit}" for name, value in rows) or "-"
    top = 6
    height = top * 2 + max(1, len(rows)) * (bar_height + gap)
    largest = max((value for _name, value in rows), default=0) or 1
    value_space = 70
    track = width - label_width - value_space
    body = []
    for index, (name, value) in enumerate(rows):
        y = top + index * (bar_height + gap)
        middle = y + bar_height / 2 + 5
        length = track * value / largest if value > 0 else 0
        body.append(
            f'<g><text x="{label_width - 8}" y="{middle:.1f}" text-anchor="end" '
            f'fill="{TEXT_COLOUR}">{escape(name)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{track}" height="{bar_height}" '
            f'fill="{TRACK_COLOUR}" rx="3"/>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'fill="{BAR_COLOUR}" rx="3"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{middle:.1f}" '
            f'fill="{TEXT_COLOUR}">{escape(_number(value))}{escape(unit)}</text></g>'
        )
    if not rows:
        body.append(f'<text x="{width / 2}" y="{height / 2 + 4}" text-anchor="middle" '
                    f'fill="{MUTED_COLOUR}">-</text>')
    return _svg(width, height, title, description, body)


def funnel_chart(title: str, steps: Sequence[tuple[str, int, float | None]], *,
                 width: int = 640, step_height: int = 46, gap: int = 6) -> Markup:
    """A centred funnel of (label, count, conversion %) steps; each step shows its numbers."""
    steps = list(steps)
    description = ", ".join(
        f"{name}: {count:,}" + (f" ({_number(pct)}%)" if pct is not None else "")
        for name, count, pct in steps
    ) or "-"
    height = max(1, len(steps)) * (step_height + gap)
    largest = max((count for _name, count, _pct in steps), default=0) or 1
    minimum = width * 0.28  # narrow steps still have room for their text
    body = []
    for index, (name, count, pct) in enumerate(steps):
        y = index * (step_height + gap)
        step_width = minimum + (width - minimum) * count / largest
        x = (width - step_width) / 2
        shade = ["#0b5ed7", "#0a58ca", "#084298", "#052c65"][index % 4]
        figures = f"{count:,}" + (f" · {_number(pct)}%" if pct is not None else "")
        body.append(
            f'<g><rect x="{x:.1f}" y="{y}" width="{step_width:.1f}" height="{step_height}" '
            f'fill="{shade}" rx="4"/>'
            f'<text x="{width / 2}" y="{y + 19}" text-anchor="middle" fill="#ffffff" '
            f'font-weight="600">{escape(name)}</text>'
            f'<text x="{width / 2}" y="{y + 37}" text-anchor="middle" '
            f'fill="#ffffff">{escape(figures)}</text></g>'
        )
    return _svg(width, height, title, description, body)
