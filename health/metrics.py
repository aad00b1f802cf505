"""``/metrics`` in Prometheus text format: each monitored connector's status and latest
check, connectors per status, open incidents, the workers' last run.

Cheap at any registry size: three queries whatever the number of connectors, four short
series per monitored connector (a status is one series holding a code, not one series per
status value), and the rendered body shared by every scrape for
``HEALTH_METRICS_CACHE_SECONDS`` (across processes when the cache is shared). A check's
per-step latencies are on the connector's page and in the health API, not here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import cache
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import Metric

from health import selectors
from health.models import HealthStatus, Incident

PREFIX = "connector_hub_health"
CACHE_KEY = "health:metrics:v2"

# Stable codes for dashboards and alert rules, higher is worse (as the status page's
# headline ranks them); a new status needs a new code (a test checks every one has one).
STATUS_CODES: dict[str, int] = {
    HealthStatus.OPERATIONAL.value: 0,
    HealthStatus.UNKNOWN.value: 1,
    HealthStatus.MAINTENANCE.value: 2,
    HealthStatus.DEGRADED.value: 3,
    HealthStatus.DOWN.value: 4,
}
STATUS_CODE_HELP = ", ".join(f"{code} {status}" for status, code in STATUS_CODES.items())
WORKING = (HealthStatus.OPERATIONAL, HealthStatus.DEGRADED, HealthStatus.DOWN)


class HealthCollector:
    """Read at scrape time from the database (one query for the checks, one for incidents,
    one for workers): nothing is kept in process memory, so every web process answers the
    same."""

    def collect(self) -> Iterator[Metric]:
        rows = sorted(
            (row for row in selectors.metric_rows() if row.monitored), key=lambda r: r.address
        )
        status = GaugeMetricFamily(
            f"{PREFIX}_status_code",
            f"The connector's current health status as a code: {STATUS_CODE_HELP}.",
            labels=["connector", "type"],
        )
        up = GaugeMetricFamily(
            f"{PREFIX}_up",
            "1 when the connector works (operational or degraded), 0 when it is down.",
            labels=["connector", "type"],
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
            status.add_metric([row.address, row.connector_type], STATUS_CODES[row.status])
            if row.status in WORKING:
                up.add_metric(
                    [row.address, row.connector_type], float(row.status != HealthStatus.DOWN)
                )
            if row.last_latency_ms is not None:
                duration.add_metric([row.address], row.last_latency_ms / 1000)
            if row.last_result_at is not None:
                last.add_metric([row.address], row.last_result_at.timestamp())
        yield from (status, up, duration, last)
        yield _connectors_per_status(Counter(row.status for row in rows))
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


def _connectors_per_status(counts: Counter[str]) -> GaugeMetricFamily:
    """One series per status, zeros included, so a panel or a rule never sees a gap."""
    family = GaugeMetricFamily(
        f"{PREFIX}_connectors",
        "Monitored connectors in each health status.",
        labels=["status"],
    )
    for value in STATUS_CODES:
        family.add_metric([value], counts[value])
    return family


def render_metrics() -> tuple[bytes, str]:
    """The exposition body and its content type, from the cache while it is fresh."""
    seconds = settings.HEALTH_METRICS_CACHE_SECONDS
    if seconds > 0 and (cached := cache.get(CACHE_KEY)) is not None:
        return bytes(cached), CONTENT_TYPE_LATEST
    registry = CollectorRegistry(auto_describe=False)
    registry.register(HealthCollector())
    body = generate_latest(registry)
    if seconds > 0:
        cache.set(CACHE_KEY, body, seconds)
    return body, CONTENT_TYPE_LATEST
