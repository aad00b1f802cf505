"""History: hourly and daily uptime rollups, and retention of raw results."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from health.models import (
    CheckResult,
    Outcome,
    UptimeDaily,
    UptimeHourly,
)

logger = logging.getLogger(__name__)


# -- history: rollups and retention ------------------------------------------------------
def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass
class _Tally:
    slots: int = 0
    up: int = 0
    degraded: int = 0
    down: int = 0
    latency_sum_ms: int = 0
    latency_count: int = 0
    latency_max_ms: int = 0


def _slot_outcome(outcomes: Iterable[str]) -> str:
    """The same agreement rule as the live status, per scheduled slot."""
    seen = list(outcomes)
    if all(outcome == Outcome.DOWN for outcome in seen):
        return Outcome.DOWN
    if any(outcome != Outcome.UP for outcome in seen):
        return Outcome.DEGRADED
    return Outcome.UP


def uptime_rollup(*, since: datetime, until: datetime | None = None) -> int:
    """Recompute the hourly rows of every hour in [since, until) from raw results, then the
    daily rows of the days they touch. Idempotent: run it as often as you like."""
    until = until or timezone.now()
    start, end = _hour(since), _hour(until) + timedelta(hours=1)
    slots: dict[tuple[int, datetime], dict[datetime, list[str]]] = defaultdict(
        lambda: defaultdict(list)
    )
    latencies: dict[tuple[int, datetime], list[int]] = defaultdict(list)
    rows = CheckResult.objects.filter(scheduled_for__gte=start, scheduled_for__lt=end).values_list(
        "health_check_id", "scheduled_for", "outcome", "total_latency_ms"
    )
    for check_id, scheduled_for, outcome, latency in rows.iterator(chunk_size=5000):
        key = (check_id, _hour(scheduled_for))
        slots[key][scheduled_for].append(outcome)
        if outcome != Outcome.DOWN:
            latencies[key].append(latency)
    hourly = []
    for (check_id, hour), by_slot in slots.items():
        tally = _Tally()
        for outcomes in by_slot.values():
            tally.slots += 1
            verdict = _slot_outcome(outcomes)
            setattr(tally, verdict, getattr(tally, verdict) + 1)
        measured = latencies[(check_id, hour)]
        hourly.append(
            UptimeHourly(
                health_check_id=check_id,
                hour=hour,
                slots=tally.slots,
                up=tally.up,
                degraded=tally.degraded,
                down=tally.down,
                latency_sum_ms=sum(measured),
                latency_count=len(measured),
                latency_max_ms=max(measured, default=0),
            )
        )
    fields = [
        "slots",
        "up",
        "degraded",
        "down",
        "latency_sum_ms",
        "latency_count",
        "latency_max_ms",
    ]
    with transaction.atomic():
        UptimeHourly.objects.bulk_create(
            hourly,
            update_conflicts=True,
            unique_fields=["health_check", "hour"],
            update_fields=fields,
        )
        days = {hour.date() for _, hour in slots}
        _daily_rollup(days=days)
    return len(hourly)


def _daily_rollup(*, days: set[date]) -> None:
    if not days:
        return
    first, last = min(days), max(days)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    sums = (
        UptimeHourly.objects.filter(hour__gte=start, hour__lt=end)
        .annotate(day=TruncDate("hour", tzinfo=UTC))
        .values("health_check_id", "day")
        .annotate(
            s_slots=Sum("slots"),
            s_up=Sum("up"),
            s_degraded=Sum("degraded"),
            s_down=Sum("down"),
            s_latency_sum=Sum("latency_sum_ms"),
            s_latency_count=Sum("latency_count"),
            s_latency_max=Max("latency_max_ms"),
        )
    )
    daily = [
        UptimeDaily(
            health_check_id=row["health_check_id"],
            day=row["day"],
            slots=row["s_slots"],
            up=row["s_up"],
            degraded=row["s_degraded"],
            down=row["s_down"],
            latency_sum_ms=row["s_latency_sum"],
            latency_count=row["s_latency_count"],
            latency_max_ms=row["s_latency_max"],
        )
        for row in sums
        if row["day"] in days
    ]
    UptimeDaily.objects.bulk_create(
        daily,
        update_conflicts=True,
        unique_fields=["health_check", "day"],
        update_fields=[
            "slots",
            "up",
            "degraded",
            "down",
            "latency_sum_ms",
            "latency_count",
            "latency_max_ms",
        ],
    )


def health_history_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Raw results older than HEALTH_RESULT_RETENTION_DAYS go, after their hours are rolled
    up; hourly rows older than HEALTH_HOURLY_RETENTION_DAYS go; daily rows stay."""
    now = now or timezone.now()
    cutoff = _hour(now - timedelta(days=settings.HEALTH_RESULT_RETENTION_DAYS))
    oldest = CheckResult.objects.filter(scheduled_for__lt=cutoff).aggregate(
        first=Min("scheduled_for")
    )
    if oldest["first"] is not None:
        uptime_rollup(since=oldest["first"], until=cutoff - timedelta(microseconds=1))
    results, _ = CheckResult.objects.filter(scheduled_for__lt=cutoff).delete()
    hourly_cutoff = _hour(now - timedelta(days=settings.HEALTH_HOURLY_RETENTION_DAYS))
    hourly, _ = UptimeHourly.objects.filter(hour__lt=hourly_cutoff).delete()
    return {"results": results, "hourly": hourly}
