"""``/metrics`` in Prometheus text format: per-connector status and check latency."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import Metric

from health import selectors
from health.models import HealthStatus, Incident

PREFIX = "connector_hub_health"


class HealthCollector:
    """Read at scrape time from the database (two queries for the checks, one for
    incidents, one for workers): nothing is kept in process memory, so every web process
    answers the same."""

    def collect(self) -> Iterator[Metric]:
        rows = selectors.metric_rows()
        status = GaugeMetricFamily(
            f"{PREFIX}_status",
            "1 for the connector's current health status, 0 for the others.",
            labels=["connector", "type", "status"],
        )
        up = GaugeMetricFamily(
            f"{PREFIX}_up",
            "1 when the connector works (operational or degraded), 0 when it is down.",
            labels=["connector", "type"],
        )
        latency = GaugeMetricFamily(
            f"{PREFIX}_check_step_latency_seconds",
            "Latency of each step of the connector's latest check.",
            labels=["connector", "step"],
        )
        duration = GaugeMetricFamily(
            f"{PREFIX}_check_duration_seconds",
            "Total latency of the connector's latest check.",
            labels=["connector"],
        )
        last = GaugeMetricFamily(
            f"{PREFIX}_last_check_timestamp_seconds",
            "When the connector's latest check finished (Unix time).",
            labels=["connector"],
        )
        for row in rows:
            if not row.monitored:
                continue
            for value in HealthStatus.values:
                status.add_metric(
                    [row.address, row.connector_type, value], float(row.status == value)
                )
            if row.status in (HealthStatus.OPERATIONAL, HealthStatus.DEGRADED, HealthStatus.DOWN):
                up.add_metric(
                    [row.address, row.connector_type], float(row.status != HealthStatus.DOWN)
                )
            for step, millis in sorted(row.step_latencies_ms.items()):
                latency.add_metric([row.address, step], millis / 1000)
            if row.last_latency_ms is not None:
                duration.add_metric([row.address], row.last_latency_ms / 1000)
            if row.last_result_at is not None:
                last.add_metric([row.address], row.last_result_at.timestamp())
        yield from (status, up, latency, duration, last)
        incidents = GaugeMetricFamily(f"{PREFIX}_incidents_open", "Incidents not yet resolved.")
        incidents.add_metric([], Incident.objects.filter(resolved_at__isnull=True).count())
        yield incidents
        freshness = selectors.worker_freshness()
        workers = GaugeMetricFamily(
            f"{PREFIX}_worker_last_seen_timestamp_seconds",
            "When a background worker last ran a scheduled task (Unix time).",
        )
        if freshness.last_seen_at is not None:
            workers.add_metric([], freshness.last_seen_at.timestamp())
        yield workers


def render_metrics() -> tuple[bytes, str]:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HealthCollector())
    return generate_latest(registry), CONTENT_TYPE_LATEST
