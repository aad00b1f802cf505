"""The status page reads one summary row per connector, kept by the rollups: written for the
checks a rollup touches, for every missing or day-old summary by the beat's rollup, and for
a new check as soon as its first result lands; rollups and purges work in bounded chunks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from health.models import CheckResult, HealthStatus, Outcome, UptimeDaily, UptimeSummary
from health.selectors import status_page
from health.services import history
from health.services.checks import check_run
from health.services.history import (
    health_history_purge,
    uptime_first_results_rollup,
    uptime_rollup,
    uptime_rollup_recent,
)
from health.services.summaries import uptime_summaries_refresh
from health.services.sweep import slot_start
from tests.factories import ConnectorFactory
from tests.health.factories import CheckResultFactory, HealthCheckFactory

pytestmark = pytest.mark.django_db


def result(check, at: datetime, outcome: str = Outcome.UP, region: str = "eu", latency: int = 120):
    return CheckResultFactory(
        health_check=check,
        region=region,
        scheduled_for=at,
        finished_at=at + timedelta(seconds=1),
        outcome=outcome,
        total_latency_ms=latency,
    )


def new_check(**fields):  # type: ignore[no-untyped-def]
    return HealthCheckFactory(connector=ConnectorFactory(), probe_id="binance", **fields)


def this_minute() -> datetime:
    return timezone.now().replace(second=0, microsecond=0)


def test_rollup_writes_the_summary_of_each_check_it_touches():
    check, other = new_check(), new_check()
    at = this_minute()
    result(check, at, Outcome.UP)
    result(check, at - timedelta(minutes=1), Outcome.DOWN)

    uptime_rollup(since=at - timedelta(minutes=5), until=at)

    summary = UptimeSummary.objects.get(health_check=check)
    assert summary.as_of == at.astimezone(UTC).date()
    assert summary.uptime_30d == pytest.approx(0.5)
    assert summary.uptime_90d == pytest.approx(0.5)
    assert summary.bar_runs[-1][1:3] == [1, "down"]  # today: half its slots down
    assert summary.latency_points[-1] == 120 or summary.latency_points[-2] == 120
    assert not UptimeSummary.objects.filter(health_check=other).exists()


def test_status_page_shows_the_summary_row_without_reading_the_rollups():
    check = new_check(status=HealthStatus.OPERATIONAL)
    today = timezone.now().astimezone(UTC).date()
    UptimeSummary.objects.create(
        health_check=check,
        as_of=today,
        uptime_30d=0.75,
        uptime_90d=0.5,
        bar_runs=[[0, 89, "none", "no data"], [89, 1, "partial", "today: 75% up"]],
        latency_points=[None] * 23 + [321],
        refreshed_at=timezone.now(),
    )
    # a daily row the summary does not reflect: the page trusts the summary
    UptimeDaily.objects.create(health_check=check, day=today, slots=10, up=10)

    row = status_page().rows[0]

    assert row.uptime_30d == 0.75
    assert row.uptime_90d == 0.5
    assert [run.level for run in row.bars] == ["none", "partial"]
    assert row.latest_latency == 321


def test_a_summary_of_another_day_is_computed_afresh_for_the_page():
    check = new_check(status=HealthStatus.OPERATIONAL)
    today = timezone.now().astimezone(UTC).date()
    UptimeSummary.objects.create(
        health_check=check,
        as_of=today - timedelta(days=1),
        uptime_30d=0.1,
        uptime_90d=0.1,
        bar_runs=[[0, 90, "down", "old"]],
        latency_points=[],
        refreshed_at=timezone.now() - timedelta(days=1),
    )
    UptimeDaily.objects.create(health_check=check, day=today, slots=10, up=10)

    row = status_page().rows[0]

    assert row.uptime_90d == pytest.approx(1.0)
    assert row.bars[-1].level == "up"


def test_status_page_queries_do_not_grow_with_connectors():
    def build(count: int) -> None:
        for _ in range(count):
            check = new_check(status=HealthStatus.OPERATIONAL)
            result(check, this_minute())
        uptime_rollup(since=this_minute() - timedelta(minutes=1))

    build(3)
    with CaptureQueriesContext(connection) as few:
        assert len(status_page().rows) == 3
    build(30)
    with CaptureQueriesContext(connection) as many:
        assert len(status_page().rows) == 33

    assert len(many.captured_queries) == len(few.captured_queries) <= 6


def test_beat_rollup_writes_missing_and_day_old_summaries():
    fresh, missing, stale = new_check(), new_check(), new_check()
    now = timezone.now()
    uptime_summaries_refresh(check_ids=[fresh.pk, stale.pk], now=now - timedelta(days=1))
    uptime_summaries_refresh(check_ids=[fresh.pk], now=now)

    uptime_rollup_recent(now=now)

    today = now.astimezone(UTC).date()
    assert {s.health_check_id: s.as_of for s in UptimeSummary.objects.all()} == {
        fresh.pk: today,
        missing.pk: today,
        stale.pk: today,
    }


def test_first_result_of_a_new_check_is_rolled_up_at_once_and_only_the_first():
    check = new_check()
    at = this_minute()
    result(check, at, Outcome.UP)

    assert uptime_first_results_rollup(check=check, scheduled_for=at) is True
    assert UptimeSummary.objects.get(health_check=check).uptime_90d == pytest.approx(1.0)

    result(check, at + timedelta(minutes=1), Outcome.DOWN)
    assert uptime_first_results_rollup(check=check, scheduled_for=at) is False


def test_first_rollup_is_limited_to_the_new_check():
    new, old = new_check(), new_check()
    at = this_minute()
    result(new, at)
    result(old, at)

    uptime_first_results_rollup(check=new, scheduled_for=at)

    assert UptimeSummary.objects.filter(health_check=new).exists()
    assert not UptimeSummary.objects.filter(health_check=old).exists()


def test_check_run_against_the_simulator_shows_a_real_bar_after_one_run(sim):
    check = HealthCheckFactory()
    check.rest_url_override = sim.rest_url(check.probe_id)
    check.ws_url_override = sim.ws_url(check.probe_id)
    check.save()

    check_run(
        check_id=check.pk,
        scheduled_for=slot_start(now=timezone.now(), interval_seconds=60),
        region="eu",
    )

    row = status_page().rows[0]
    assert row.bars[-1].level == "up"
    assert row.uptime_30d == pytest.approx(1.0)
    assert row.latest_latency is not None


def test_purge_deletes_in_batches_and_keeps_recent_results(monkeypatch):
    monkeypatch.setattr(history, "PURGE_BATCH", 3)
    check = new_check()
    now = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    old = now - timedelta(days=40)
    for minute in range(8):
        result(check, old + timedelta(minutes=minute))
    kept = result(check, now - timedelta(hours=1))

    purged = health_history_purge(now=now)

    assert purged["results"] == 8
    assert list(CheckResult.objects.values_list("pk", flat=True)) == [kept.pk]
    assert UptimeDaily.objects.get(day=old.date()).slots == 8  # rolled up before it went


def test_rollup_of_a_span_walks_it_hour_by_hour():
    check = new_check()
    start = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    for hour in range(0, 48, 6):
        result(check, start + timedelta(hours=hour))

    written = uptime_rollup(since=start, until=start + timedelta(hours=47), summaries=False)

    assert written == 8
    assert sorted(UptimeDaily.objects.values_list("day", "slots")) == [
        (start.date(), 4),
        ((start + timedelta(days=1)).date(), 4),
    ]
