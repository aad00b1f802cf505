"""A sweep on a real Celery worker (Redis broker, PostgreSQL) against the exchange simulator:
statuses, an incident opening and resolving, and alerts delivered to a local webhook."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.conf import settings

from health.models import (
    AlertDelivery,
    CheckResult,
    DeliveryState,
    HealthCheck,
    HealthStatus,
    Incident,
)
from health.simulator import Faults
from health.tasks import health_sweep_task
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
