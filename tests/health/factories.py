"""factory_boy factories for the health models."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from health.models import (
    CheckResult,
    HealthCheck,
    HealthStatus,
    Incident,
    MaintenanceWindow,
    Outcome,
)
from tests.factories import ConnectorFactory


class HealthCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HealthCheck
        django_get_or_create = ("connector",)

    connector = factory.SubFactory(ConnectorFactory, connector_id="binance")
    probe_id = factory.LazyAttribute(lambda o: o.connector.connector_id)
    interval_seconds = 60
    status = HealthStatus.UNKNOWN


class CheckResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckResult

    health_check = factory.SubFactory(HealthCheckFactory)
    region = "eu"
    scheduled_for = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0))
    started_at = factory.LazyAttribute(lambda o: o.scheduled_for)
    finished_at = factory.LazyAttribute(lambda o: o.started_at + timedelta(milliseconds=120))
    outcome = Outcome.UP
    failed_step = factory.LazyAttribute(lambda o: "order_book" if o.outcome == Outcome.DOWN else "")
    reason = factory.LazyAttribute(
        lambda o: "order book is empty" if o.outcome == Outcome.DOWN else ""
    )
    step_latencies_ms = factory.LazyFunction(
        lambda: {"server_time": 20, "markets": 40, "order_book": 30, "stream": 30}
    )
    steps = factory.LazyFunction(list)
    total_latency_ms = 120
    fault = factory.LazyAttribute(lambda o: "connector" if o.outcome == Outcome.DOWN else "")


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    health_check = factory.SubFactory(HealthCheckFactory)
    title = factory.LazyAttribute(lambda o: f"{o.health_check.connector.address} is down")
    severity = HealthStatus.DOWN
    cause = "Order book: order book is empty (0 bids, 0 asks)"
    opened_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))


class MaintenanceWindowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaintenanceWindow

    health_check = factory.SubFactory(HealthCheckFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=5))
    ends_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    reason = "exchange upgrade"
