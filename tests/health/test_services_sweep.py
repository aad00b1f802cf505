"""The sweep claims due work once per region and slot; a check run writes one result, even
when its task is delivered twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from connectors_registry.models import ConnectorType, Namespace, SubType
from health.models import CheckResult, CheckSchedule, HealthCheck, HealthStatus, Outcome
from health.services.checks import check_run
from health.services.sweep import Claim, health_checks_sync, health_sweep, slot_offset, slot_start
from tests.factories import ConnectorFactory
from tests.health.factories import CheckResultFactory, HealthCheckFactory

pytestmark = pytest.mark.django_db


def sweep(region: str = "eu", now: datetime | None = None) -> list[Claim]:
    claims: list[Claim] = []
    health_sweep(region=region, enqueue=claims.append, now=now)
    return claims


def point_at(check: HealthCheck, sim) -> HealthCheck:  # type: ignore[no-untyped-def]
    probe = check.probe_id
    check.rest_url_override = sim.rest_url(probe)
    check.ws_url_override = sim.ws_url(probe)
    check.save()
    return check


def test_sync_creates_one_check_per_connector_with_the_right_probe():
    ConnectorFactory(connector_id="binance")
    ConnectorFactory(connector_id="backpack")  # no bundled connector
    ConnectorFactory(
        connector_id="uniswap",
        namespace=Namespace.GATEWAY,
        connector_type=ConnectorType.AMM_DEX,
        sub_type=SubType.CLMM,
    )

    assert health_checks_sync() == 3
    assert health_checks_sync() == 0  # idempotent

    probes = dict(HealthCheck.objects.values_list("connector__connector_id", "probe_id"))
    assert probes == {"binance": "binance", "backpack": "", "uniswap": "gateway"}


def test_sweep_claims_each_due_check_once_per_slot():
    check = HealthCheckFactory(interval_seconds=60)
    now = datetime(2026, 11, 25, 12, 0, 30, tzinfo=UTC)

    # when two sweeps of the same region run at once
    first = sweep(now=now)
    second = sweep(now=now)

    # then only one claims the check, for the aligned slot, and the next check moves on
    assert first == [
        Claim(check_id=check.pk, scheduled_for=datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    ]
    assert second == []
    schedule = CheckSchedule.objects.get(health_check=check, region="eu")
    offset = slot_offset(check_id=check.pk, interval_seconds=60)
    assert schedule.next_check_at == datetime(2026, 11, 25, 12, 1, tzinfo=UTC) + offset


def test_each_region_claims_the_same_slot_independently():
    check = HealthCheckFactory(interval_seconds=60)
    now = datetime(2026, 11, 25, 12, 0, 30, tzinfo=UTC)

    eu, us = sweep("eu", now), sweep("us", now + timedelta(seconds=5))

    assert [c.scheduled_for for c in eu] == [c.scheduled_for for c in us]
    assert CheckSchedule.objects.filter(health_check=check).count() == 2


def test_check_is_due_again_at_its_offset_in_the_next_slot():
    check = HealthCheckFactory(interval_seconds=120)
    now = datetime(2026, 11, 25, 12, 0, 30, tzinfo=UTC)
    due_again = datetime(2026, 11, 25, 12, 2, tzinfo=UTC) + slot_offset(
        check_id=check.pk, interval_seconds=120
    )

    (first,) = sweep(now=now)
    CheckResultFactory(health_check=check, region="eu", scheduled_for=first.scheduled_for)
    assert sweep(now=due_again - timedelta(seconds=1)) == []
    (claim,) = sweep(now=due_again)
    assert claim.scheduled_for == datetime(2026, 11, 25, 12, 2, tzinfo=UTC)


def test_a_claimed_slot_without_a_result_is_enqueued_again_once_after_the_grace(settings):
    # given a check claimed at 12:00:30 whose worker died (no result for the slot)
    settings.HEALTH_CHECK_DEADLINE_SECONDS = 10
    settings.HEALTH_SWEEP_SECONDS = 10  # grace: 20 s
    check = HealthCheckFactory(interval_seconds=300)
    now = datetime(2026, 11, 25, 12, 0, 30, tzinfo=UTC)
    slot = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    assert sweep(now=now) == [Claim(check_id=check.pk, scheduled_for=slot)]

    # then within the grace nothing happens; after it, one of two racing sweeps enqueues
    # the same slot again, and the next one waits another grace
    assert sweep(now=now + timedelta(seconds=19)) == []
    later = now + timedelta(seconds=21)
    assert sweep(now=later) == [Claim(check_id=check.pk, scheduled_for=slot)]
    assert sweep(now=later) == []
    assert sweep(now=later + timedelta(seconds=10)) == []

    # and once the slot has its result, it is never enqueued again
    CheckResultFactory(health_check=check, region="eu", scheduled_for=slot)
    assert sweep(now=later + timedelta(seconds=60)) == []


def test_offsets_spread_checks_across_the_slot():
    offsets = {slot_offset(check_id=i, interval_seconds=60).seconds for i in range(1, 61)}

    assert len(offsets) > 30  # not all at the top of the minute
    assert all(0 <= o < 60 for o in offsets)


def test_disabled_and_unmonitored_checks_are_not_claimed(settings):
    HealthCheckFactory(enabled=False)
    HealthCheckFactory(connector=ConnectorFactory(connector_id="backpack"), probe_id="")
    HealthCheckFactory(
        connector=ConnectorFactory(
            connector_id="uniswap",
            namespace=Namespace.GATEWAY,
            connector_type=ConnectorType.AMM_DEX,
            sub_type=SubType.AMM,
        ),
        probe_id="gateway",
    )
    settings.GATEWAY_URL = ""

    assert sweep() == []


def test_gateway_checks_are_claimed_when_a_gateway_is_configured(settings):
    settings.GATEWAY_URL = "http://127.0.0.1:15888"
    HealthCheckFactory(
        connector=ConnectorFactory(
            connector_id="uniswap",
            namespace=Namespace.GATEWAY,
            connector_type=ConnectorType.AMM_DEX,
            sub_type=SubType.AMM,
        ),
        probe_id="gateway",
    )

    assert len(sweep()) == 1


def test_slots_align_to_the_interval():
    moment = datetime(2026, 11, 25, 12, 7, 41, tzinfo=UTC)

    assert slot_start(now=moment, interval_seconds=300) == datetime(2026, 11, 25, 12, 5, tzinfo=UTC)


def test_check_run_writes_one_result_and_sets_status(sim):
    # given a check pointed at the simulator
    check = point_at(HealthCheckFactory(), sim)
    slot = slot_start(now=timezone.now(), interval_seconds=60)

    # when its task runs, and is delivered a second time (acks_late)
    first = check_run(check_id=check.pk, scheduled_for=slot, region="eu")
    again = check_run(check_id=check.pk, scheduled_for=slot, region="eu")

    # then one result, healthy, with per-step latency, and the connector is operational
    assert CheckResult.objects.count() == 1
    assert first is not None
    assert again is not None
    assert again.pk == first.pk
    assert first.outcome == Outcome.UP
    assert set(first.step_latencies_ms) == {"server_time", "markets", "order_book", "stream"}
    assert first.trading_pair == "BTC-USDT"
    check.refresh_from_db()
    assert check.status == HealthStatus.OPERATIONAL
    assert check.last_latency_ms == first.total_latency_ms
    assert check.last_step_latencies_ms == first.step_latencies_ms


def test_check_run_records_failures_with_step_and_reason(sim):
    from health.simulator import Faults

    sim.faults.set("binance", Faults(fault="crossed_book"))
    check = point_at(HealthCheckFactory(trading_pair="ETH-USDT"), sim)

    result = check_run(check_id=check.pk, scheduled_for=timezone.now(), region="eu")

    assert result is not None
    assert result.outcome == Outcome.DOWN
    assert result.failed_step == "order_book"
    assert result.reason.startswith("order book is crossed")
    assert result.trading_pair == "ETH-USDT"
    assert [s["ok"] for s in result.steps] == [True, True, False, None]


def test_check_run_of_a_deleted_or_disabled_check_does_nothing():
    check = HealthCheckFactory(enabled=False)

    assert check_run(check_id=check.pk, scheduled_for=timezone.now(), region="eu") is None
    assert check_run(check_id=999999, scheduled_for=timezone.now(), region="eu") is None
    assert not CheckResult.objects.exists()


def test_result_is_unique_per_check_region_and_slot():
    from django.db import IntegrityError

    result = CheckResultFactory()
    with pytest.raises(IntegrityError):
        CheckResultFactory(
            health_check=result.health_check,
            region=result.region,
            scheduled_for=result.scheduled_for,
        )


def test_sweep_task_enqueues_one_check_task_per_claim(settings):
    from unittest.mock import patch

    from health.tasks import health_sweep_task

    settings.HEALTH_QUEUE = "health-eu"
    settings.HEALTH_REGION = "eu"
    check = HealthCheckFactory()
    with patch("health.tasks.check_run_task.apply_async") as apply_async:
        assert health_sweep_task.apply().get() == 1

    (call,) = apply_async.call_args_list
    assert call.kwargs["args"][0] == check.pk
    assert call.kwargs["queue"] == "health-eu"
    assert call.kwargs["expires"] > 0
