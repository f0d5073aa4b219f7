"""Charts drawn on the server as SVG (SPEC §9: charts from assets the portal serves itself, no CDN).

Plain SVG with presentation attributes only (no script, no style attribute), so the content-security policy
holds and the chart prints. Each chart is an image with a title and a description for screen readers; the
page shows the same figures in a table beside it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

BAR = "#1f5f99"
AXIS = "#5b6675"
INK = "#1d2430"
WIDTH = 400
_ids = count(1)

Number = int | Decimal


def _plain(value: Number) -> str:
    return f"{value:,.2f}" if isinstance(value, Decimal) else f"{value:,}"


def _open(title: str, description: str, height: int) -> tuple[str, str]:
    ident = f"chart-{next(_ids)}"
    head = (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-title">{escape(title)}</title><desc id="{ident}-desc">{escape(description)}</desc>'
    )
    return head, "</svg>"


def column_chart(
    title: str, points: Sequence[tuple[str, Number]], *, fmt: Callable[[Number], str] = _plain
) -> SafeString:
    """Vertical columns, one per point (e.g. per month), labelled underneath, the largest value written above
    its column."""
    height, top, bottom, left = 200, 22, 30, 6
    description = "; ".join(f"{label}: {fmt(value)}" for label, value in points)
    head, tail = _open(title, description, height)
    parts = [head]
    peak = max((value for _label, value in points), default=0) or 1
    slot = (WIDTH - 2 * left) / max(len(points), 1)
    every = max(1, -(-len(points) // 8))  # at most eight labels under the axis
    base = height - bottom
    parts.append(f'<line x1="{left}" y1="{base}" x2="{WIDTH - left}" y2="{base}" stroke="{AXIS}" />')
    for index, (label, value) in enumerate(points):
        bar_height = (base - top) * float(value) / float(peak)
        x = left + index * slot + slot * 0.15
        parts.append(
            f'<rect x="{x:.1f}" y="{base - bar_height:.1f}" width="{slot * 0.7:.1f}" height="{bar_height:.1f}" '
            f'fill="{BAR}"><title>{escape(label)}: {escape(fmt(value))}</title></rect>'
        )
        if index % every == 0:
            parts.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{base + 16}" font-size="12" text-anchor="middle" '
                f'fill="{INK}">{escape(label)}</text>'
            )
        if value == peak and value:
            parts.append(
                f'<text x="{x + slot * 0.35:.1f}" y="{base - bar_height - 6:.1f}" font-size="12" '
                f'text-anchor="middle" fill="{INK}">{escape(fmt(value))}</text>'
            )
    parts.append(tail)
    return mark_safe("".join(parts))  # noqa: S308 (every text inside is escaped)


def bar_chart(
    title: str, rows: Sequence[tuple[str, Number]], *, fmt: Callable[[Number], str] = _plain
) -> SafeString:
    """Horizontal bars, one per row (e.g. per town), with the label on the left and the value at the end."""
    row_height, label_width, value_width = 24, 160, 76
    height = max(len(rows), 1) * row_height + 8
    description = "; ".join(f"{label}: {fmt(value)}" for label, value in rows)
    head, tail = _open(title, description, height)
    parts = [head]
    peak = max((value for _label, value in rows), default=0) or 1
    span = WIDTH - label_width - value_width
    for index, (label, value) in enumerate(rows):
        y = 4 + index * row_height
        length = span * float(value) / float(peak)
        parts.append(
            f'<text x="{label_width - 8}" y="{y + 16}" font-size="13" text-anchor="end" fill="{INK}">'
            f"{escape(label)}</text>"
            f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" height="{row_height - 6}" fill="{BAR}" />'
            f'<text x="{label_width + length + 6:.1f}" y="{y + 16}" font-size="13" fill="{INK}">'
            f"{escape(fmt(value))}</text>"
        )
    parts.append(tail)
    return mark_safe("".join(parts))  # noqa: S308 (every text inside is escaped)
