"""Status from results: hysteresis, multi-region agreement, maintenance, incidents that open
and resolve by themselves, and which changes alert the maintainer."""

from __future__ import annotations

from datetime import timedelta
from unittest.mock import patch

import pytest
import time_machine
from django.utils import timezone

from health.models import (
    AlertDelivery,
    HealthStatus,
    Incident,
    Outcome,
    StatusChange,
)
from health.services.incidents import maintenance_schedule
from health.services.status import health_status_evaluate, health_status_expire
from tests.factories import ConnectorFactory, MaintainerFactory
from tests.health.factories import CheckResultFactory, HealthCheckFactory, MaintenanceWindowFactory

pytestmark = pytest.mark.django_db

HOOK = "https://discord.example/api/webhooks/1/abc"


@pytest.fixture
def check(settings):
    settings.HEALTH_FAILURE_THRESHOLD = 2
    settings.HEALTH_RECOVERY_THRESHOLD = 2
    maintainer = MaintainerFactory(alert_webhook_url=HOOK)
    connector = ConnectorFactory(connector_id="binance", maintainer=maintainer)
    return HealthCheckFactory(connector=connector, status=HealthStatus.OPERATIONAL)


def observe(check, *outcomes_by_region: tuple[str, str], at=None):
    """Results from several regions at the same slot, then one evaluation."""
    at = at or timezone.now()
    for region, outcome in outcomes_by_region:
        CheckResultFactory(
            health_check=check, region=region, outcome=outcome, scheduled_for=at, finished_at=at
        )
    with patch("health.services.alerts.alert_deliver_enqueue"):
        change = health_status_evaluate(check_id=check.pk, now=at)
    check.refresh_from_db()
    return change


def step(check, outcome, *, seconds: int, region: str = "eu"):
    return observe(check, (region, outcome), at=timezone.now() + timedelta(seconds=seconds))


def test_one_failure_does_not_change_status_two_do(check, django_capture_on_commit_callbacks):
    # when one check fails
    assert step(check, Outcome.DOWN, seconds=0) is None
    # then the connector stays operational, with a pending candidate
    assert check.status == HealthStatus.OPERATIONAL
    assert (check.candidate_status, check.candidate_count) == (HealthStatus.DOWN, 1)

    # when a second consecutive check fails
    change = step(check, Outcome.DOWN, seconds=60)

    # then it is down, the change is recorded once, and an incident opens
    assert check.status == HealthStatus.DOWN
    assert change is not None
    assert (change.from_status, change.to_status) == ("operational", "down")
    assert StatusChange.objects.count() == 1
    incident = Incident.objects.get()
    assert incident.is_open
    assert incident.severity == HealthStatus.DOWN
    assert incident.title == "binance is down"
    assert "order book is empty" in incident.cause


def test_a_success_between_failures_resets_the_count(check):
    step(check, Outcome.DOWN, seconds=0)
    step(check, Outcome.UP, seconds=60)
    step(check, Outcome.DOWN, seconds=120)

    assert check.status == HealthStatus.OPERATIONAL
    assert check.candidate_count == 1


def test_recovery_needs_its_own_threshold_and_resolves_the_incident(check, settings):
    settings.HEALTH_RECOVERY_THRESHOLD = 3
    step(check, Outcome.DOWN, seconds=0)
    step(check, Outcome.DOWN, seconds=60)

    step(check, Outcome.UP, seconds=120)
    step(check, Outcome.UP, seconds=180)
    assert check.status == HealthStatus.DOWN
    step(check, Outcome.UP, seconds=240)

    assert check.status == HealthStatus.OPERATIONAL
    incident = Incident.objects.get()
    assert incident.resolved_at is not None
    assert incident.resolved_at > incident.opened_at


def test_hysteresis_threshold_is_configurable(check, settings):
    settings.HEALTH_FAILURE_THRESHOLD = 1

    step(check, Outcome.DOWN, seconds=0)

    assert check.status == HealthStatus.DOWN


def test_first_good_result_is_enough_when_nothing_was_known(check):
    check.status = HealthStatus.UNKNOWN
    check.save()

    change = step(check, Outcome.UP, seconds=0)

    assert check.status == HealthStatus.OPERATIONAL
    assert change is not None
    assert not AlertDelivery.objects.exists()  # "we started watching" is not news


def test_down_only_when_every_recent_region_agrees(check):
    # when one region sees it down and the other up, twice
    observe(check, ("eu", Outcome.DOWN), ("us", Outcome.UP))
    observe(
        check, ("eu", Outcome.DOWN), ("us", Outcome.UP), at=timezone.now() + timedelta(seconds=60)
    )

    # then it is degraded, naming the region that failed
    assert check.status == HealthStatus.DEGRADED
    change = StatusChange.objects.get()
    assert change.reason.startswith("1 of 2 regions (eu): Order book: order book is empty")

    # when both regions agree, twice
    observe(
        check,
        ("eu", Outcome.DOWN),
        ("us", Outcome.DOWN),
        at=timezone.now() + timedelta(seconds=120),
    )
    observe(
        check,
        ("eu", Outcome.DOWN),
        ("us", Outcome.DOWN),
        at=timezone.now() + timedelta(seconds=180),
    )

    # then it is down, and the incident is the same one, now worse
    assert check.status == HealthStatus.DOWN
    incident = Incident.objects.get()
    assert incident.severity == HealthStatus.DOWN
    assert incident.title == "binance is down"


def test_a_region_that_stopped_reporting_does_not_vote(check):
    # given us reported up long ago, eu reports down now
    CheckResultFactory(
        health_check=check,
        region="us",
        outcome=Outcome.UP,
        scheduled_for=timezone.now() - timedelta(hours=1),
        finished_at=timezone.now() - timedelta(hours=1),
    )
    step(check, Outcome.DOWN, seconds=0)
    step(check, Outcome.DOWN, seconds=60)

    # then eu alone decides: down
    assert check.status == HealthStatus.DOWN


def test_slow_results_degrade(check):
    step(check, Outcome.DEGRADED, seconds=0)
    step(check, Outcome.DEGRADED, seconds=60)

    assert check.status == HealthStatus.DEGRADED
    assert Incident.objects.get().severity == HealthStatus.DEGRADED


def test_breaking_and_recovering_alert_the_maintainer_once_each(
    check, django_capture_on_commit_callbacks
):
    # when the connector breaks and recovers
    schedule = [(0, "down"), (60, "down"), (120, "down"), (180, "up"), (240, "up")]
    with (
        patch("health.services.alerts.alert_deliver_enqueue") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        for seconds, outcome in schedule:
            at = timezone.now() + timedelta(seconds=seconds)
            CheckResultFactory(
                health_check=check, outcome=outcome, scheduled_for=at, finished_at=at
            )
            health_status_evaluate(check_id=check.pk, now=at)

    # then two deliveries to the maintainer's webhook, each enqueued once after commit
    deliveries = AlertDelivery.objects.order_by("pk")
    assert [d.status_change.to_status for d in deliveries] == ["down", "operational"]
    assert {d.url for d in deliveries} == {HOOK}
    assert delay.call_count == 2


def test_no_webhook_no_delivery(check):
    check.connector.maintainer.alert_webhook_url = ""
    check.connector.maintainer.save()

    step(check, Outcome.DOWN, seconds=0)
    step(check, Outcome.DOWN, seconds=60)

    assert check.status == HealthStatus.DOWN
    assert not AlertDelivery.objects.exists()


def test_alerts_can_be_switched_off(check, settings):
    settings.HEALTH_ALERTS_ENABLED = False

    step(check, Outcome.DOWN, seconds=0)
    step(check, Outcome.DOWN, seconds=60)

    assert not AlertDelivery.objects.exists()


def test_maintenance_window_sets_maintenance_without_alerts_or_incidents(check):
    # given a maintenance window now
    MaintenanceWindowFactory(health_check=check)

    # when checks fail during it
    step(check, Outcome.DOWN, seconds=0)
    step(check, Outcome.DOWN, seconds=60)

    # then the status is maintenance, and nobody is paged
    assert check.status == HealthStatus.MAINTENANCE
    assert not Incident.objects.exists()
    assert not AlertDelivery.objects.exists()


def test_after_maintenance_a_healthy_connector_is_operational_at_once(check):
    window = MaintenanceWindowFactory(health_check=check)
    step(check, Outcome.UP, seconds=0)
    assert check.status == HealthStatus.MAINTENANCE

    after = window.ends_at + timedelta(seconds=1)
    with time_machine.travel(after, tick=False):
        observe(check, ("eu", Outcome.UP), at=after)

    assert check.status == HealthStatus.OPERATIONAL
    assert not AlertDelivery.objects.exists()


def test_maintenance_schedule_applies_a_window_that_has_started(
    check, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        maintenance_schedule(
            check=check,
            starts_at=timezone.now() - timedelta(minutes=1),
            ends_at=timezone.now() + timedelta(minutes=30),
            reason="Binance wallet upgrade",
            created_by=staff_user,
        )

    check.refresh_from_db()
    assert check.status == HealthStatus.MAINTENANCE
    assert StatusChange.objects.get().reason == "scheduled maintenance: Binance wallet upgrade"


def test_maintenance_must_end_after_it_starts(check, staff_user):
    from core.exceptions import ApplicationError

    with pytest.raises(ApplicationError):
        maintenance_schedule(
            check=check,
            starts_at=timezone.now(),
            ends_at=timezone.now() - timedelta(minutes=1),
            reason="backwards",
            created_by=staff_user,
        )


def test_silence_turns_the_status_unknown_without_alerting(check):
    # given the last result is an hour old (workers stopped)
    CheckResultFactory(
        health_check=check,
        scheduled_for=timezone.now() - timedelta(hours=1),
        finished_at=timezone.now() - timedelta(hours=1),
    )
    check.last_result_at = timezone.now() - timedelta(hours=1)
    check.save()

    # when the sweep looks for silent checks
    changed = health_status_expire()

    # then the connector is unknown, not green
    check.refresh_from_db()
    assert changed == 1
    assert check.status == HealthStatus.UNKNOWN
    assert not AlertDelivery.objects.exists()


def test_disabling_a_check_makes_it_unknown(check):
    check.enabled = False
    check.last_result_at = timezone.now()
    check.save()

    health_status_expire()

    check.refresh_from_db()
    assert check.status == HealthStatus.UNKNOWN
    assert StatusChange.objects.get().reason == "not monitored"


def test_one_slot_counts_once_however_many_regions_report_it(check):
    """Each region's task evaluates after its result; one slot is one observation."""
    at = timezone.now()
    for region in ("eu", "us", "ap"):
        CheckResultFactory(
            health_check=check, region=region, outcome="down", scheduled_for=at, finished_at=at
        )
    with patch("health.services.alerts.alert_deliver_enqueue"):
        for _ in range(3):
            health_status_evaluate(check_id=check.pk, now=at)
    check.refresh_from_db()
    assert check.status == HealthStatus.OPERATIONAL
    assert check.candidate_count == 1

    # the next slot makes the second consecutive observation
    later = at + timedelta(seconds=60)
    for region in ("eu", "us"):
        CheckResultFactory(
            health_check=check,
            region=region,
            outcome="down",
            scheduled_for=later,
            finished_at=later,
        )
    with patch("health.services.alerts.alert_deliver_enqueue"):
        for _ in range(2):
            health_status_evaluate(check_id=check.pk, now=later)

    check.refresh_from_db()
    assert check.status == HealthStatus.DOWN
    assert StatusChange.objects.count() == 1
    assert Incident.objects.count() == 1
