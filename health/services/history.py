"""History: hourly and daily uptime rollups, and retention of raw results."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from health.models import (
    CheckResult,
    HealthCheck,
    Outcome,
    UptimeDaily,
    UptimeHourly,
    UptimeSummary,
)
from health.services.summaries import (
    uptime_summaries_refresh,
    uptime_summaries_refresh_outdated,
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


def uptime_rollup(
    *,
    since: datetime,
    until: datetime | None = None,
    check_ids: Collection[int] | None = None,
    summaries: bool = True,
) -> int:
    """Recompute the hourly rows of every hour in [since, until) from raw results, then the
    daily rows of the days they touch, then the status page's summaries of the checks they
    touch. Idempotent: run it as often as you like.

    One hour at a time, each in its own transaction: memory and lock time stay those of
    one hour of results, whatever the span. ``check_ids`` limits it to some checks (a new
    check's first results).
    """
    until = until or timezone.now()
    hour, end = _hour(since), _hour(until) + timedelta(hours=1)
    written = 0
    touched: set[int] = set()
    days: set[date] = set()
    while hour < end:
        rows = _hour_rollup(hour=hour, check_ids=check_ids)
        if rows:
            with transaction.atomic():
                UptimeHourly.objects.bulk_create(
                    rows,
                    update_conflicts=True,
                    unique_fields=["health_check", "hour"],
                    update_fields=COUNT_FIELDS,
                )
            written += len(rows)
            touched.update(row.health_check_id for row in rows)
            days.add(hour.date())
        hour += timedelta(hours=1)
    _daily_rollup(days=days, check_ids=check_ids)
    if summaries:
        uptime_summaries_refresh(check_ids=touched)
    return written


# the periodic rollup redoes this much history, so results landing late still count
RECENT_ROLLUP = timedelta(hours=2)


def uptime_rollup_recent(*, now: datetime | None = None) -> int:
    """The beat's rollup: the last two hours, then every summary missing or of another
    day (the bars move by a day at midnight UTC)."""
    now = now or timezone.now()
    written = uptime_rollup(since=now - RECENT_ROLLUP, until=now)
    uptime_summaries_refresh_outdated(now=now)
    return written


def uptime_first_results_rollup(*, check: HealthCheck, scheduled_for: datetime) -> bool:
    """A check with no uptime yet (a new site, a new connector) has its hour rolled up and
    its summary written as soon as its first result lands, so the status page shows a real
    bar after one sweep instead of grey until the next rollup. Later results wait for the
    rollup every few minutes. True when it rolled up."""
    if UptimeSummary.objects.filter(health_check=check, uptime_90d__isnull=False).exists():
        return False
    uptime_rollup(since=scheduled_for, until=scheduled_for, check_ids=[check.pk])
    return True


def _hour_rollup(*, hour: datetime, check_ids: Collection[int] | None) -> list[UptimeHourly]:
    """One hour's rows from its raw results (one index range scan on the slot time)."""
    slots: dict[int, dict[datetime, list[str]]] = defaultdict(lambda: defaultdict(list))
    latencies: dict[int, list[int]] = defaultdict(list)
    results = CheckResult.objects.filter(
        scheduled_for__gte=hour, scheduled_for__lt=hour + timedelta(hours=1)
    )
    if check_ids is not None:
        results = results.filter(health_check_id__in=check_ids)
    rows = results.order_by().values_list(
        "health_check_id", "scheduled_for", "outcome", "total_latency_ms"
    )
    for check_id, scheduled_for, outcome, latency in rows.iterator(chunk_size=5000):
        slots[check_id][scheduled_for].append(outcome)
        if outcome != Outcome.DOWN:
            latencies[check_id].append(latency)
    hourly = []
    for check_id, by_slot in slots.items():
        tally = _Tally()
        for outcomes in by_slot.values():
            tally.slots += 1
            verdict = _slot_outcome(outcomes)
            setattr(tally, verdict, getattr(tally, verdict) + 1)
        measured = latencies[check_id]
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
    return hourly


COUNT_FIELDS = [
    "slots",
    "up",
    "degraded",
    "down",
    "latency_sum_ms",
    "latency_count",
    "latency_max_ms",
]


def _daily_rollup(*, days: set[date], check_ids: Collection[int] | None = None) -> None:
    for day in sorted(days):  # one day at a time, like the hours
        _day_rollup(day=day, check_ids=check_ids)


def _day_rollup(*, day: date, check_ids: Collection[int] | None) -> None:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    hours = UptimeHourly.objects.filter(hour__gte=start, hour__lt=start + timedelta(days=1))
    if check_ids is not None:
        hours = hours.filter(health_check_id__in=check_ids)
    sums = (
        hours.order_by()
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
        if row["day"] == day
    ]
    with transaction.atomic():
        UptimeDaily.objects.bulk_create(
            daily,
            update_conflicts=True,
            unique_fields=["health_check", "day"],
            update_fields=COUNT_FIELDS,
        )


# rows deleted per statement by the purge: each DELETE holds its locks this long only
PURGE_BATCH = 10_000


def health_history_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Raw results older than HEALTH_RESULT_RETENTION_DAYS go, after their hours are rolled
    up; hourly rows older than HEALTH_HOURLY_RETENTION_DAYS go; daily rows stay.

    Hours are rolled up one at a time and rows deleted in batches of PURGE_BATCH, each its
    own statement, so a purge after a long pause neither holds one huge transaction nor
    blocks the workers writing new results.
    """
    now = now or timezone.now()
    cutoff = _hour(now - timedelta(days=settings.HEALTH_RESULT_RETENTION_DAYS))
    oldest = CheckResult.objects.filter(scheduled_for__lt=cutoff).aggregate(
        first=Min("scheduled_for")
    )
    if oldest["first"] is not None:
        uptime_rollup(
            since=oldest["first"], until=cutoff - timedelta(microseconds=1), summaries=False
        )
    results = _delete_in_batches(CheckResult.objects.filter(scheduled_for__lt=cutoff))
    hourly_cutoff = _hour(now - timedelta(days=settings.HEALTH_HOURLY_RETENTION_DAYS))
    hourly = _delete_in_batches(UptimeHourly.objects.filter(hour__lt=hourly_cutoff))
    return {"results": results, "hourly": hourly}


def _delete_in_batches(rows: QuerySet[Any]) -> int:
    """Delete the rows PURGE_BATCH at a time (the ids of a batch, then those rows)."""
    deleted = 0
    model = rows.model
    while True:  # bounded: every pass deletes a batch or stops
        batch = list(rows.order_by().values_list("pk", flat=True)[:PURGE_BATCH])
        if not batch:
            return deleted
        count, _ = model._default_manager.filter(pk__in=batch).delete()
        deleted += count
