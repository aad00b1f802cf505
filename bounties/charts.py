"""A pot's balance over time as a server-rendered SVG step chart (no JavaScript), and the
time axis under it: ticks at round instants, each label distinct, and what the labels leave
out (the date under hour ticks, the year under day ticks) said once as the axis caption."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString

from bounties.fields import display_amount
from bounties.selectors import HistoryPoint

WIDE, NARROW = 640, 360  # viewBox widths: the page shows the narrow chart on phones
HEIGHT = 236
PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 16, 14, 46
FONT_PX = {WIDE: 11, NARROW: 12}  # the axis text's size (bounties.css), to fit the labels

# Round steps between ticks, smallest first: times under a day; then hours with their day,
# days, months, years.
SECOND_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200)
HOUR_STEPS = (3, 6, 12)
DAY_STEPS = (1, 2, 3, 7, 14)
MONTH_STEPS = (1, 2, 3, 6)
YEAR_STEPS = (1, 2, 5, 10, 20, 50, 100)
TO = "\N{EN DASH}"  # between the two ends of a range of dates


@dataclass(frozen=True)
class TimeAxis:
    ticks: list[tuple[datetime, str]]  # oldest first; no two labels alike
    caption: str  # what every label leaves out ("" when they say it all)


@dataclass(frozen=True)
class _Scale:
    times: Callable[[int], list[datetime]]  # the ticks, at most that many and one more
    label: Callable[[datetime], str]
    caption: str


def _day(at: datetime) -> str:
    return f"{at.day} {at:%b}"


def _date(at: datetime) -> str:
    return f"{at.day} {at:%b %Y}"


def _midnight(at: datetime) -> datetime:
    return at.replace(hour=0, minute=0, second=0, microsecond=0)


def _clock(layout: str, *, with_day: bool = False) -> Callable[[datetime], str]:
    """Times in ``layout`` (after their day), but a midnight as its day ("2 Dec")."""

    def label(at: datetime) -> str:
        if at == _midnight(at):
            return _day(at)
        return f"{_day(at)} {at:{layout}}" if with_day else f"{at:{layout}}"

    return label


def _every(start: datetime, end: datetime, step: timedelta) -> Callable[[int], list[datetime]]:
    """Multiples of ``step`` since ``start``'s midnight that fall in [start, end]."""

    def times(limit: int) -> list[datetime]:
        origin = _midnight(start)
        first = origin + step * -((origin - start) // step)  # ceil((start - origin) / step)
        count = (end - first) // step + 1 if first <= end else 0
        return [first + step * i for i in range(min(count, limit + 1))]

    return times


def _months(start: datetime, end: datetime, months: int) -> Callable[[int], list[datetime]]:
    """First days of the months in [start, end] that are multiples of ``months`` from the
    first January of the era (every January of every ``months // 12`` years from 12)."""

    def times(limit: int) -> list[datetime]:
        found: list[datetime] = []
        year, month = start.year, start.month
        while len(found) <= limit:
            at = start.replace(
                year=year, month=month, day=1, hour=0, minute=0, second=0, microsecond=0
            )
            if at > end:
                break
            if at >= start and (year * 12 + month - 1) % months == 0:
                found.append(at)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return found

    return times


def time_axis(*, start: datetime, end: datetime, max_ticks: int = 5) -> TimeAxis:
    """Ticks for a chart from ``start`` to ``end`` (shown in the current time zone).

    One instant is labelled once, with its date and time. A span under a day is labelled
    with times, the date (or the two dates) said once in the caption; longer spans with
    hours and their day, days (the year in the caption), months, then years: the smallest
    round step that gives at most ``max_ticks`` ticks, or the one before it when that
    gives a single tick.
    """
    start, end = timezone.localtime(start), timezone.localtime(end)
    zone = timezone.get_current_timezone_name()
    if end <= start:
        return TimeAxis(ticks=[(start, f"{_date(start)} {start:%H:%M}")], caption="")
    years = str(start.year) if start.year == end.year else f"{start.year} {TO} {end.year}"
    scales: list[_Scale] = []
    if end - start < timedelta(days=1):
        if start.date() == end.date():
            dates = _date(start)
        elif start.year == end.year:
            dates = f"{_day(start)} {TO} {_date(end)}"
        else:
            dates = f"{_date(start)} {TO} {_date(end)}"
        scales += [
            _Scale(
                times=_every(start, end, timedelta(seconds=seconds)),
                label=_clock("%H:%M:%S" if seconds < 60 else "%H:%M"),
                caption=f"{dates} ({zone})",
            )
            for seconds in SECOND_STEPS
        ]
    else:
        scales += [
            _Scale(
                times=_every(start, end, timedelta(hours=hours)),
                label=_clock("%H:%M", with_day=True),
                caption=f"{years} ({zone})",
            )
            for hours in HOUR_STEPS
        ]
        scales += [
            _Scale(times=_every(start, end, timedelta(days=days)), label=_day, caption=years)
            for days in DAY_STEPS
        ]
        scales += [
            _Scale(times=_months(start, end, months), label=lambda t: f"{t:%b %Y}", caption="")
            for months in MONTH_STEPS
        ]
        scales += [
            _Scale(times=_months(start, end, 12 * n), label=lambda t: str(t.year), caption="")
            for n in YEAR_STEPS
        ]
    # The smallest step with at most max_ticks ticks; the step before it if that leaves one
    # (the chart drops labels that would touch). Fallbacks hold at most 2 * 3.5 + 1 ticks.
    limit = max(4 * max_ticks, 10)
    chosen, times = scales[0], scales[0].times(limit)
    for scale in scales[1:]:
        if len(times) <= max_ticks:
            break
        next_times = scale.times(limit)
        if len(next_times) < 2:
            break
        chosen, times = scale, next_times
    if len(times) < 2:  # a second or so: its two ends, to the second
        first, last = f"{start:%H:%M:%S}", f"{end:%H:%M:%S}"
        ticks = [(start, first), (end, last)] if first != last else [(end, last)]
        return TimeAxis(ticks=ticks, caption=chosen.caption)
    return TimeAxis(ticks=[(t, chosen.label(t)) for t in times], caption=chosen.caption)


def _text_width(text: str, *, font_px: int) -> float:
    """About how wide ``text`` is drawn (sans-serif digits and letters average 0.62 em)."""
    return len(text) * font_px * 0.62


def balance_chart(
    *, points: list[HistoryPoint], denomination: str, width: int = WIDE
) -> SafeString:
    """Balance and available amount after each entry, as steps over time."""
    if not points:
        return SafeString("")
    font_px = FONT_PX.get(width, FONT_PX[WIDE])
    top = max(max(p.balance for p in points), Decimal(1))
    grain = Decimal(1) if top >= 10 else Decimal("0.01")
    levels = [(top * f).quantize(grain) for f in (Decimal(0), Decimal("0.5"), Decimal(1))]
    level_labels = [display_amount(level) for level in levels]
    pad_left = 10 + max(_text_width(label, font_px=font_px) for label in [*level_labels, "000"])
    start, end = points[0].at, points[-1].at
    span = max((end - start).total_seconds(), 1.0)
    inner_w = width - pad_left - PAD_RIGHT
    inner_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    base = PAD_TOP + inner_h

    def x(index: int) -> float:
        if len(points) == 1:
            return pad_left + inner_w
        seconds = (points[index].at - start).total_seconds()
        # Spread entries made at the same moment (one request) so each step shows.
        by_time = seconds / span
        by_order = index / (len(points) - 1)
        return pad_left + inner_w * (0.7 * by_time + 0.3 * by_order)

    xs = [x(i) for i in range(len(points))]
    instants = [p.at for p in points]

    def x_at(at: datetime) -> float:
        """Where ``at`` falls on the chart: between the entries before and after it."""
        i = max(bisect_right(instants, at) - 1, 0)
        if i >= len(points) - 1:
            return xs[-1]
        gap = (instants[i + 1] - instants[i]).total_seconds()
        share = (at - instants[i]).total_seconds() / gap if gap else 0.0
        return xs[i] + (xs[i + 1] - xs[i]) * share

    def y(value: Decimal) -> float:
        return PAD_TOP + inner_h * (1 - float(value / top))

    def steps(values: list[Decimal]) -> str:
        path = [f"M{pad_left:.1f},{y(Decimal(0)):.1f}"]
        for i, value in enumerate(values):
            path.append(f"H{xs[i]:.1f}V{y(value):.1f}")
        path.append(f"H{pad_left + inner_w:.1f}")
        return "".join(path)

    axis = time_axis(start=start, end=end, max_ticks=min(6, max(3, int(inner_w // 80))))
    placed: list[tuple[float, str, str]] = []  # x, text-anchor, label
    right_of_last = float("-inf")
    for at, label in axis.ticks:
        at_x, half = x_at(at), _text_width(label, font_px=font_px) / 2
        left, anchor = at_x - half, "middle"
        if at_x + half > width - 2:
            left, anchor = at_x - 2 * half, "end"
        elif left < 2:
            left, anchor = at_x, "start"
        if left < right_of_last + font_px:
            continue  # too close to the label before it
        placed.append((at_x, anchor, label))
        right_of_last = left + 2 * half
    ticks = format_html_join(
        "",
        '<line x1="{x}" x2="{x}" y1="{y1}" y2="{y2}" class="grid"/>'
        '<text x="{x}" y="{ty}" class="axis" text-anchor="{anchor}">{label}</text>',
        (
            {
                "x": f"{tx:.1f}",
                "y1": f"{base:.1f}",
                "y2": f"{base + 4:.1f}",
                "ty": f"{base + 17:.1f}",
                "anchor": anchor,
                "label": label,
            }
            for tx, anchor, label in placed
        ),
    )
    caption = (
        format_html(
            '<text x="{}" y="{}" class="axis axis-caption" text-anchor="end">{}</text>',
            f"{pad_left + inner_w:.1f}",
            HEIGHT - 4,
            axis.caption,
        )
        if axis.caption
        else ""
    )
    grid = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/>'
        '<text x="{}" y="{}" class="axis" text-anchor="end">{}</text>',
        (
            (
                f"{pad_left:.1f}",
                f"{pad_left + inner_w:.1f}",
                f"{y(t):.1f}",
                f"{y(t):.1f}",
                f"{pad_left - 6:.1f}",
                f"{y(t) + 4:.1f}",
                label,
            )
            for t, label in zip(levels, level_labels, strict=True)
        ),
    )
    last = points[-1]
    first_day, last_day = _date(timezone.localtime(start)), _date(timezone.localtime(end))
    when = f"on {first_day}" if first_day == last_day else f"from {first_day} to {last_day}"
    title = (
        f"{denomination} in this pot over time, {when}: balance {display_amount(last.balance)}, "
        f"available {display_amount(last.available)} after {len(points)} entries."
    )
    size = "wide" if width >= WIDE else "narrow"
    return format_html(
        '<svg class="balance-chart balance-chart-{size}" viewBox="0 0 {w} {h}" role="img" '
        'aria-labelledby="{id}-t"><title id="{id}-t">{title}</title>{grid}'
        '<path d="{balance}" class="line-balance"/><path d="{available}" class="line-available"/>'
        "{ticks}{caption}</svg>",
        size=size,
        w=width,
        h=HEIGHT,
        id=f"chart-{escape(denomination.lower())}-{size}",
        title=title,
        grid=grid,
        balance=steps([p.balance for p in points]),
        available=steps([p.available for p in points]),
        ticks=ticks,
        caption=caption,
    )
