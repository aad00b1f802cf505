"""History: raw results roll up hourly and daily (idempotently, with the regions' agreement
rule per slot), raw results are purged after their retention, uptime comes from rollups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from health.models import CheckResult, Outcome, UptimeDaily, UptimeHourly
from health.selectors import status_page
from health.services.history import health_history_purge, uptime_rollup
from tests.health.factories import CheckResultFactory, HealthCheckFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def result(check, minute: int, outcome: str, region: str = "eu", latency: int = 100, hour=NOON):
    at = hour + timedelta(minutes=minute)
    return CheckResultFactory(
        health_check=check,
        region=region,
        scheduled_for=at,
        finished_at=at + timedelta(seconds=1),
        outcome=outcome,
        total_latency_ms=latency,
    )


def test_hourly_rollup_counts_slots_with_the_agreement_rule():
    check = HealthCheckFactory()
    result(check, 0, Outcome.UP, "eu", 100)
    result(check, 0, Outcome.UP, "us", 300)
    result(check, 1, Outcome.DOWN, "eu")
    result(check, 1, Outcome.UP, "us", 200)  # one region down: degraded slot
    result(check, 2, Outcome.DOWN, "eu")
    result(check, 2, Outcome.DOWN, "us")  # both down: down slot
    result(check, 3, Outcome.DEGRADED, "eu", 2500)

    uptime_rollup(since=NOON, until=NOON + timedelta(minutes=59))

    hour = UptimeHourly.objects.get()
    assert (hour.slots, hour.up, hour.degraded, hour.down) == (4, 1, 2, 1)
    assert hour.latency_count == 4  # down results carry no latency
    assert hour.latency_sum_ms == 100 + 300 + 200 + 2500
    assert hour.latency_max_ms == 2500


def test_rollup_is_idempotent_and_picks_up_late_results():
    check = HealthCheckFactory()
    result(check, 0, Outcome.UP)
    uptime_rollup(since=NOON, until=NOON + timedelta(minutes=30))
    uptime_rollup(since=NOON, until=NOON + timedelta(minutes=30))
    assert UptimeHourly.objects.get().slots == 1

    result(check, 5, Outcome.DOWN)
    uptime_rollup(since=NOON, until=NOON + timedelta(minutes=30))

    hour = UptimeHourly.objects.get()
    assert (hour.slots, hour.down) == (2, 1)
    assert UptimeDaily.objects.get().slots == 2


def test_daily_rollup_sums_the_hours_of_the_day():
    check = HealthCheckFactory()
    for hour in range(3):
        at = NOON + timedelta(hours=hour)
        result(check, 0, Outcome.UP, hour=at)
        result(check, 30, Outcome.DOWN if hour == 2 else Outcome.UP, hour=at)

    uptime_rollup(since=NOON, until=NOON + timedelta(hours=3))

    day = UptimeDaily.objects.get()
    assert day.day == date(2026, 11, 24)
    assert (day.slots, day.up, day.down) == (6, 5, 1)


def test_purge_rolls_up_before_deleting_raw_results(settings):
    settings.HEALTH_RESULT_RETENTION_DAYS = 14
    settings.HEALTH_HOURLY_RETENTION_DAYS = 90
    check = HealthCheckFactory()
    old = NOON - timedelta(days=20)
    result(check, 0, Outcome.UP, hour=old)
    result(check, 1, Outcome.DOWN, hour=old)
    recent = result(check, 0, Outcome.UP, hour=NOON)

    purged = health_history_purge(now=NOON + timedelta(hours=1))

    # then the old raw rows are gone but counted in their rollups; the recent one stays
    assert purged["results"] == 2
    assert list(CheckResult.objects.values_list("pk", flat=True)) == [recent.pk]
    hour = UptimeHourly.objects.get(hour=old)
    assert (hour.slots, hour.down) == (2, 1)
    assert UptimeDaily.objects.get(day=old.date()).slots == 2


def test_purge_drops_old_hourly_rows_but_keeps_daily(settings):
    settings.HEALTH_HOURLY_RETENTION_DAYS = 30
    check = HealthCheckFactory()
    ancient = NOON - timedelta(days=100)
    result(check, 0, Outcome.UP, hour=ancient)
    uptime_rollup(since=ancient, until=ancient + timedelta(minutes=1))

    purged = health_history_purge(now=NOON)

    assert purged["hourly"] == 1
    assert not UptimeHourly.objects.exists()
    assert UptimeDaily.objects.get().day == ancient.date()


def test_status_page_uptime_comes_from_daily_rollups():
    check = HealthCheckFactory()
    today = datetime.now(tz=UTC).date()
    UptimeDaily.objects.create(health_check=check, day=today, slots=100, up=97, degraded=2, down=1)
    UptimeDaily.objects.create(
        health_check=check, day=today - timedelta(days=40), slots=100, up=50, degraded=0, down=50
    )

    row = status_page().rows[0]

    assert row.uptime_30d == pytest.approx(0.99)
    assert row.uptime_90d == pytest.approx((99 + 50) / 200)
    runs = row.bars
    assert sum(run.length for run in runs) == 90
    assert [run.level for run in runs] == ["none", "down", "none", "partial"]
    assert runs[1].start == 89 - 40
    assert runs[-1].start == 89
