"""Uptime arithmetic: a connector's 90 days as cells, runs of like days, shares, and the
24 hours of latency, from its daily and hourly rollups. Pure: no queries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from health.models import UptimeDaily, UptimeHourly

UPTIME_DAYS = 90
SPARKLINE_HOURS = 24
# the level of a day whose down slots pass this share is "down", below it "partial"
DOWN_DAY_SHARE = 0.05


@dataclass(frozen=True)
class DayCell:
    day: date
    slots: int
    up: int
    degraded: int
    down: int

    @property
    def ratio(self) -> float | None:
        """Share of checked slots that were not down (degraded still works)."""
        return (self.up + self.degraded) / self.slots if self.slots else None

    @property
    def level(self) -> str:
        if not self.slots:
            return "none"
        if self.down / self.slots > DOWN_DAY_SHARE:
            return "down"
        if self.down:
            return "partial"
        if self.degraded:
            return "degraded"
        return "up"

    @property
    def label(self) -> str:
        if not self.slots:
            return f"{self.day:%d %b %Y}: no data"
        ratio = self.ratio or 0.0
        return (
            f"{self.day:%d %b %Y}: {ratio:.2%} up "
            f"({self.down} down, {self.degraded} degraded of {self.slots} checks)"
        )


def uptime_ratio(cells: Iterable[DayCell]) -> float | None:
    """Share of checked slots that were not down over the cells; None without any."""
    counted = [c for c in cells if c.slots]
    slots = sum(c.slots for c in counted)
    if not slots:
        return None
    return sum(c.up + c.degraded for c in counted) / slots


def uptime_days(rows: Iterable[UptimeDaily], *, today: date) -> list[DayCell]:
    """The last UPTIME_DAYS days up to ``today``, oldest first; days without a row are
    empty cells."""
    by_day = {row.day: row for row in rows}
    cells = []
    for offset in range(UPTIME_DAYS - 1, -1, -1):
        day = today - timedelta(days=offset)
        row = by_day.get(day)
        cells.append(
            DayCell(day, row.slots, row.up, row.degraded, row.down)
            if row
            else DayCell(day, 0, 0, 0, 0)
        )
    return cells


def latency_points(rows: Iterable[UptimeHourly], *, now: datetime) -> list[int | None]:
    """Average latency per hour for the last SPARKLINE_HOURS hours, oldest first (None: no
    data)."""
    start = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(
        hours=SPARKLINE_HOURS - 1
    )
    by_hour = {row.hour: row for row in rows}
    points: list[int | None] = []
    for offset in range(SPARKLINE_HOURS):
        row = by_hour.get(start + timedelta(hours=offset))
        points.append(
            round(row.latency_sum_ms / row.latency_count) if row and row.latency_count else None
        )
    return points


@dataclass(frozen=True)
class BarRun:
    """Consecutive days of one level, drawn as one bar: where it starts (index of its first
    day among the 90), how many days, the level and a tooltip with the run's totals."""

    start: int
    length: int
    level: str
    label: str

    def as_json(self) -> list[int | str]:
        return [self.start, self.length, self.level, self.label]

    @classmethod
    def from_json(cls, data: Sequence[int | str]) -> BarRun:
        start, length, level, label = data
        return cls(int(start), int(length), str(level), str(label))


def bar_runs(days: Sequence[DayCell]) -> list[BarRun]:
    """Like days merged into runs (each day's own numbers are on the connector page)."""
    runs: list[BarRun] = []
    index = 0
    while index < len(days):
        cell = days[index]
        end = index + 1
        while end < len(days) and days[end].level == cell.level:
            end += 1
        if end - index == 1:
            label = cell.label
        else:
            run = days[index:end]
            span = f"{run[0].day:%d %b} to {run[-1].day:%d %b %Y}"
            ratio = uptime_ratio(run)
            checks = sum(c.slots for c in run)
            down = sum(c.down for c in run)
            label = (
                f"{span}: no data"
                if ratio is None
                else f"{span}: {ratio:.2%} up ({down:,} down of {checks:,} checks)"
            )
        runs.append(BarRun(index, end - index, cell.level, label))
        index = end
    return runs
