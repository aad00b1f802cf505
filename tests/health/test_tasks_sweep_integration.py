"""A sweep on a real Celery worker (Redis broker, PostgreSQL) against the exchange simulator:
statuses, an incident opening and resolving, and alerts delivered to a local webhook."""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from health.models import (
    AlertDelivery,
    CheckResult,
    CheckSchedule,
    DeliveryState,
    HealthCheck,
    HealthStatus,
    Incident,
)
from health.simulator import Faults
from health.tasks import check_run_task, health_sweep_task
from tests.celery_worker import broker_is_real, database_is_shared
from tests.factories import ConnectorFactory, MaintainerFactory
from tests.health.factories import HealthCheckFactory
from tests.health.worker import health_worker

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REGION = "it-eu"
CONNECTORS = ("binance", "kraken", "okx")


@pytest.fixture
def require_real_services():
    if not database_is_shared():
        pytest.skip("needs PostgreSQL (set DATABASE_URL) so the worker sees the test database")
    if not broker_is_real():
        pytest.skip("needs a Redis or RabbitMQ broker (set CELERY_BROKER_URL)")


@contextmanager
def real_queue() -> Iterator[None]:
    """Send tasks through the broker, not eagerly, while the worker runs."""
    from config.celery import app as celery_app

    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = previous


def statuses() -> dict[str, str]:
    return dict(HealthCheck.objects.values_list("connector__connector_id", "status"))


def sweep_until(queue: str, condition, *, timeout: float, what: str, log_path) -> None:  # type: ignore[no-untyped-def]
    """Send the beat's sweep every second (as beat would, faster) until ``condition``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        health_sweep_task.apply_async(queue=queue, expires=5)
        for _ in range(4):
            if condition():
                return
            time.sleep(0.25)
    raise AssertionError(
        f"timed out after {timeout:.0f}s waiting for {what}; statuses {statuses()}; worker log:\n"
        + log_path.read_text()[-5000:]
    )


def test_sweep_on_a_real_worker_tracks_status_incidents_and_alerts(
    require_real_services, sim, webhook, tmp_path
):
    # given three connectors whose checks point at the simulator, every 10 s, and a
    # maintainer whose webhook fails once before accepting
    maintainer = MaintainerFactory(alert_webhook_url=webhook.url)
    for connector_id in CONNECTORS:
        connector = ConnectorFactory(
            connector_id=connector_id, slug=connector_id, maintainer=maintainer
        )
        HealthCheckFactory(
            connector=connector,
            interval_seconds=10,
            rest_url_override=sim.rest_url(connector_id),
            ws_url_override=sim.ws_url(connector_id),
        )
    webhook.statuses = [503]  # the first alert is retried by Celery with backoff
    queue = f"health-it-{uuid.uuid4().hex[:10]}"
    log_path = tmp_path / "worker.log"
    with (
        real_queue(),
        health_worker(
            queue=queue,
            log_path=log_path,
            broker_url=settings.CELERY_BROKER_URL,
            env={
                "HEALTH_REGION": REGION,
                "HEALTH_FAILURE_THRESHOLD": "1",
                "HEALTH_RECOVERY_THRESHOLD": "1",
                "HEALTH_PUBLIC_URL": "https://hub.example.org",
            },
        ),
    ):
        # when beat's sweeps run
        sweep_until(
            queue,
            lambda: set(statuses().values()) == {HealthStatus.OPERATIONAL},
            timeout=90,
            what="every connector operational",
            log_path=log_path,
        )
        # then each connector was checked by the worker's region, every step passing
        results = CheckResult.objects.all()
        assert {r.region for r in results} == {REGION}
        assert {r.outcome for r in results} == {"up"}

        # when OKX starts serving an empty order book
        sim.faults.set("okx", Faults(fault="empty_book"))
        sweep_until(
            queue,
            lambda: statuses()["okx"] == HealthStatus.DOWN,
            timeout=60,
            what="okx down",
            log_path=log_path,
        )

        # then okx alone is down, with an open incident saying why
        assert statuses() == {"binance": "operational", "kraken": "operational", "okx": "down"}
        incident = Incident.objects.get()
        assert incident.is_open
        assert "order book is empty" in incident.cause

        # when OKX recovers
        sim.faults.clear("okx")
        sweep_until(
            queue,
            lambda: (
                statuses()["okx"] == HealthStatus.OPERATIONAL
                and AlertDelivery.objects.filter(state=DeliveryState.SENT).count() == 2
            ),
            timeout=90,
            what="okx operational again and both alerts delivered",
            log_path=log_path,
        )

    # then the incident resolved by itself
    incident.refresh_from_db()
    assert incident.resolved_at is not None
    # and the maintainer got "down" (after one retried 503) and "recovered", once each
    delivered = [r["json"]["text"].splitlines()[0] for r in webhook.requests]
    assert delivered == [
        "🔴 okx: Operational → Down",  # answered 503, retried
        "🔴 okx: Operational → Down",
        "🟢 okx: Down → Operational",
    ]
    deliveries = AlertDelivery.objects.order_by("pk")
    assert [d.attempts for d in deliveries] == [2, 1]
    # and no slot was recorded twice
    slots = list(CheckResult.objects.values_list("health_check_id", "region", "scheduled_for"))
    assert len(slots) == len(set(slots))


def test_checks_lost_with_a_killed_worker_get_one_result_each(require_real_services, sim, tmp_path):
    """``kill -9`` of a worker mid-sweep leaves its tasks unacknowledged until the broker's
    visibility timeout; the sweep enqueues those slots again after the claim grace."""
    # given four slow checks (each step waits 1 s on the simulator), claimed by one sweep
    deadline_s, sweep_s = 5.0, 3.0
    grace_s = deadline_s + sweep_s
    lost = ("binance", "kraken", "okx", "bybit")
    for connector_id in lost:
        HealthCheckFactory(
            connector=ConnectorFactory(connector_id=connector_id, slug=connector_id),
            interval_seconds=24 * 60 * 60,  # the next slot is not due during the test
            rest_url_override=sim.rest_url(connector_id),
            ws_url_override=sim.ws_url(connector_id),
        )
        sim.faults.set(connector_id, Faults(latency_ms=1000))
    queue = f"health-it-{uuid.uuid4().hex[:10]}"
    env = {
        "HEALTH_REGION": REGION,
        "HEALTH_CHECK_DEADLINE_SECONDS": str(deadline_s),
        "HEALTH_SWEEP_SECONDS": str(sweep_s),
    }
    schedules = CheckSchedule.objects.filter(region=REGION, last_claimed_at__isnull=False)
    first_log = tmp_path / "worker-1.log"
    with real_queue():
        with health_worker(
            queue=queue, log_path=first_log, broker_url=settings.CELERY_BROKER_URL, env=env
        ) as worker:
            health_sweep_task.apply_async(queue=queue, expires=30)
            _wait(lambda: schedules.count() == len(lost), 60, "the sweep's claims", first_log)
            _wait(
                lambda: first_log.read_text().count("check_run_task") >= len(lost),
                30,
                "every check started",
                first_log,
            )
            # when the worker is killed while every check is in flight
            time.sleep(1)
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        assert CheckResult.objects.count() == 0
        sim.faults.clear()  # the exchanges answer promptly again
        claimed = dict(schedules.values_list("health_check_id", "last_claimed_at"))

        # and another worker takes over, with beat's sweep every sweep_s
        second_log = tmp_path / "worker-2.log"
        with health_worker(
            queue=queue, log_path=second_log, broker_url=settings.CELERY_BROKER_URL, env=env
        ):
            _wait(lambda: "ready" in second_log.read_text(), 60, "worker 2 ready", second_log)
            started = max(timezone.now(), max(claimed.values()) + timedelta(seconds=grace_s))
            deadline = time.monotonic() + 90
            while CheckResult.objects.count() < len(lost) and time.monotonic() < deadline:
                health_sweep_task.apply_async(queue=queue, expires=sweep_s)
                time.sleep(sweep_s)
            results = list(CheckResult.objects.all())
            assert len(results) == len(lost), second_log.read_text()[-5000:]

            # then every lost slot got its result within two sweep intervals of the grace
            # (plus the check's own deadline)
            latest = max(r.finished_at for r in results)
            assert (latest - started).total_seconds() <= 2 * sweep_s + deadline_s + 2
            assert {(r.health_check_id, r.region) for r in results} == {
                (check_id, REGION) for check_id in claimed
            }
            assert "enqueued again" in second_log.read_text()

            # and a late duplicate of a lost task (the broker's redelivery) adds nothing
            for result in results:
                check_run_task.apply_async(
                    args=(result.health_check_id, result.scheduled_for.isoformat()), queue=queue
                )
            for _ in range(2):
                health_sweep_task.apply_async(queue=queue, expires=sweep_s)
                time.sleep(sweep_s)
    slots = list(CheckResult.objects.values_list("health_check_id", "region", "scheduled_for"))
    assert len(slots) == len(set(slots)) == len(lost)


def _wait(condition, timeout: float, what: str, log_path) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(
        f"timed out waiting for {what}; worker log:\n{log_path.read_text()[-5000:]}"
    )
