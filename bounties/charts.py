"""A pot's balance over time as a server-rendered SVG step chart (no JavaScript)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

from bounties.fields import display_amount
from bounties.selectors import HistoryPoint

WIDTH, HEIGHT = 640, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 70, 16, 14, 30


def balance_chart(*, points: list[HistoryPoint], denomination: str) -> SafeString:
    """Balance and available amount after each entry, as steps over time."""
    if not points:
        return SafeString("")
    top = max(max(p.balance for p in points), Decimal(1))
    start, end = points[0].at, points[-1].at
    span = max((end - start).total_seconds(), 1.0)
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def x(index: int) -> float:
        if len(points) == 1:
            return PAD_LEFT + inner_w
        seconds = (points[index].at - start).total_seconds()
        # Spread entries made at the same moment (one request) so each step shows.
        by_time = seconds / span
        by_order = index / (len(points) - 1)
        return PAD_LEFT + inner_w * (0.7 * by_time + 0.3 * by_order)

    def y(value: Decimal) -> float:
        return PAD_TOP + inner_h * (1 - float(value / top))

    def steps(values: list[Decimal]) -> str:
        path = [f"M{PAD_LEFT:.1f},{y(Decimal(0)):.1f}"]
        for i, value in enumerate(values):
            path.append(f"H{x(i):.1f}V{y(value):.1f}")
        path.append(f"H{PAD_LEFT + inner_w:.1f}")
        return "".join(path)

    balance = steps([p.balance for p in points])
    available = steps([p.available for p in points])
    last = points[-1]
    title = (
        f"{denomination} in this pot over time: balance {display_amount(last.balance)}, "
        f"available {display_amount(last.available)} after {len(points)} entries."
    )
    ticks = [(top * f).quantize(Decimal(1)) for f in (Decimal(0), Decimal("0.5"), Decimal(1))]
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/>'
        '<text x="{}" y="{}" class="axis" text-anchor="end">{}</text>',
        (
            (PAD_LEFT, PAD_LEFT + inner_w, f"{y(t):.1f}", f"{y(t):.1f}", PAD_LEFT - 6,
             f"{y(t) + 4:.1f}", display_amount(t))
            for t in ticks
        ),
    )  # fmt: skip
    return format_html(
        '<svg class="balance-chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-t">'
        '<title id="{id}-t">{title}</title>{grid}'
        '<path d="{balance}" class="line-balance"/><path d="{available}" class="line-available"/>'
        '<text x="{left}" y="{bottom}" class="axis">{start}</text>'
        '<text x="{right}" y="{bottom}" class="axis" text-anchor="end">{end}</text></svg>',
        w=WIDTH, h=HEIGHT, id=f"chart-{escape(denomination.lower())}", title=title,
        grid=grid,
        balance=balance, available=available, left=PAD_LEFT, right=PAD_LEFT + inner_w,
        bottom=HEIGHT - 8, start=f"{start:%d %b %Y}", end=f"{end:%d %b %Y}",
    )  # fmt: skip
