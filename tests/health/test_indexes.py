"""Every time-window query of the health history has an index to use (PostgreSQL EXPLAIN).

With sequential scans turned off the planner takes an index when one fits; the plan names
it. (On a small test table it would scan either way; at a year of history it must not.)
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from health.models import CheckResult

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def postgresql_without_seqscans():  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN plans are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = on")


def plan(queryset) -> str:  # type: ignore[no-untyped-def]
    return str(queryset.explain())


def test_the_rollup_window_uses_the_slot_index():
    now = timezone.now()
    window = CheckResult.objects.filter(
        scheduled_for__gte=now - timedelta(hours=2), scheduled_for__lt=now
    )

    assert "check_result_by_slot" in plan(window)


def test_the_purge_cutoff_uses_the_slot_index():
    old = CheckResult.objects.filter(scheduled_for__lt=timezone.now() - timedelta(days=14))

    assert "check_result_by_slot" in plan(old)


def test_the_offline_check_uses_the_region_index():
    now = timezone.now()
    recent = CheckResult.objects.filter(
        region="eu", finished_at__gte=now - timedelta(minutes=15), finished_at__lte=now
    ).order_by("-finished_at")

    assert "check_result_region_recent" in plan(recent)


def test_a_checks_latest_results_use_their_index():
    latest = CheckResult.objects.filter(health_check_id=1).order_by("-finished_at")[:5]

    assert "check_result_latest" in plan(latest)
