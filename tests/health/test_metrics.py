"""/metrics: one status series per connector holding a code, connectors per status, a fixed
number of queries and a bounded size per connector, and a body shared for a few seconds."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from connectors_registry.models import ConnectorType, Namespace, SubType
from health.metrics import CACHE_KEY, STATUS_CODES
from health.models import HealthCheck, HealthStatus
from tests.factories import ConnectorFactory
from tests.health.factories import HealthCheckFactory, IncidentFactory

pytestmark = pytest.mark.django_db

STATUSES = [
    HealthStatus.OPERATIONAL,
    HealthStatus.DEGRADED,
    HealthStatus.DOWN,
    HealthStatus.MAINTENANCE,
    HealthStatus.UNKNOWN,
]


@pytest.fixture(autouse=True)
def _no_cached_body():
    cache.delete(CACHE_KEY)
    yield
    cache.delete(CACHE_KEY)


@pytest.fixture
def gateway(settings):
    """AMM DEX connectors are monitored only with a Gateway to ask (never asked here)."""
    settings.GATEWAY_URL = "http://127.0.0.1:15888"


def make_checks(count: int, start: int = 0) -> None:
    """Monitored connectors of every type and status, with ids as long as the catalogue's
    longest (``coinbase_advanced_trade``) and a latest check of four timed steps."""
    now = timezone.now()
    for index in range(start, start + count):
        gateway = index % 3 == 2
        connector = ConnectorFactory(
            connector_id=f"exchange_{index:04d}_perpetual",
            connector_type=ConnectorType.AMM_DEX if gateway else ConnectorType.CLOB_CEX,
            namespace=Namespace.GATEWAY if gateway else Namespace.CLIENT,
            sub_type=SubType.CLMM if gateway else SubType.PERPETUAL,
        )
        HealthCheckFactory(
            connector=connector,
            probe_id="gateway" if gateway else "binance",
            status=STATUSES[index % len(STATUSES)],
            last_result_at=now - timedelta(seconds=index),
            last_latency_ms=1234,
            last_step_latencies_ms={"server_time": 50, "markets": 400, "order_book": 300},
        )


def scrape(client) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return {f.name: f for f in text_string_to_metric_families(response.content.decode())}


def samples(families: dict, name: str) -> dict[tuple[str, ...], float]:
    return {tuple(s.labels.values()): s.value for s in families[name].samples}


def test_a_connector_has_one_status_series_holding_its_code(client):
    # given a connector that is down, with an open incident
    check = HealthCheckFactory(
        status=HealthStatus.DOWN,
        last_latency_ms=1200,
        last_result_at=timezone.now(),
        last_step_latencies_ms={"server_time": 50, "markets": 150},
    )
    IncidentFactory(health_check=check)

    # when Prometheus scrapes
    families = scrape(client)

    # then its status is one series with the code of "down", and it is not up
    assert samples(families, "connector_hub_health_status_code") == {("binance", "clob_cex"): 4.0}
    assert samples(families, "connector_hub_health_up") == {("binance", "clob_cex"): 0.0}
    assert samples(families, "connector_hub_health_check_duration_seconds") == {("binance",): 1.2}
    last = samples(families, "connector_hub_health_last_check_timestamp_seconds")
    assert last == {("binance",): pytest.approx(check.last_result_at.timestamp())}
    assert families["connector_hub_health_incidents_open"].samples[0].value == 1.0
    # and the per-status count has every status, zeros included
    assert samples(families, "connector_hub_health_connectors") == {
        ("operational",): 0.0,
        ("unknown",): 0.0,
        ("maintenance",): 0.0,
        ("degraded",): 0.0,
        ("down",): 1.0,
    }
    # and neither one series per status value nor per step is exposed any more
    assert "connector_hub_health_status" not in families
    assert "connector_hub_health_check_step_latency_seconds" not in families


def test_every_health_status_has_its_own_code_and_the_help_lists_them(client):
    assert set(STATUS_CODES) == set(HealthStatus.values)
    assert sorted(STATUS_CODES.values()) == list(range(len(HealthStatus.values)))

    body = client.get("/metrics").content.decode()

    assert "0 operational, 1 unknown, 2 maintenance, 3 degraded, 4 down" in body


@pytest.mark.parametrize(
    ("status", "up"),
    [
        (HealthStatus.OPERATIONAL, 1.0),
        (HealthStatus.DEGRADED, 1.0),
        (HealthStatus.DOWN, 0.0),
        (HealthStatus.MAINTENANCE, None),
        (HealthStatus.UNKNOWN, None),
    ],
)
def test_up_is_only_for_statuses_that_say_whether_it_works(client, status, up):
    HealthCheckFactory(status=status)

    families = scrape(client)

    assert samples(families, "connector_hub_health_status_code") == {
        ("binance", "clob_cex"): float(STATUS_CODES[status])
    }
    expected_up = {} if up is None else {("binance", "clob_cex"): up}
    assert samples(families, "connector_hub_health_up") == expected_up


def test_a_connector_never_checked_has_no_duration_or_timestamp(client):
    HealthCheckFactory(status=HealthStatus.UNKNOWN)

    families = scrape(client)

    assert samples(families, "connector_hub_health_check_duration_seconds") == {}
    assert samples(families, "connector_hub_health_last_check_timestamp_seconds") == {}


@pytest.mark.parametrize(
    "unmonitored",
    [
        {"enabled": False},
        {"probe_id": ""},
        {"probe_id": "gateway"},  # AMM DEX without a Gateway to ask (GATEWAY_URL unset)
    ],
)
def test_unmonitored_connectors_have_no_series_and_are_not_counted(client, unmonitored):
    HealthCheckFactory(status=HealthStatus.DOWN, **unmonitored)

    families = scrape(client)

    assert samples(families, "connector_hub_health_status_code") == {}
    assert samples(families, "connector_hub_health_up") == {}
    assert set(samples(families, "connector_hub_health_connectors").values()) == {0.0}


def test_queries_stay_fixed_and_size_per_connector_bounded_from_10_to_100(client, gateway):
    # given 10 monitored connectors of every type and status
    make_checks(10)
    with CaptureQueriesContext(connection) as at_10:
        small = client.get("/metrics").content
    # when the registry grows to 100
    make_checks(90, start=10)
    with CaptureQueriesContext(connection) as at_100:
        large = client.get("/metrics").content

    # then a scrape costs the same few queries
    assert len(at_100) == len(at_10) <= 3
    # and each connector adds a bounded number of bytes (it was ~500 with a series per
    # status value and per step), well under 400 even with the longest ids
    per_connector = (len(large) - len(small)) / 90
    assert per_connector < 400
    assert len(large) / 100 < 400
    families = {f.name: f for f in text_string_to_metric_families(large.decode())}
    assert len(families["connector_hub_health_status_code"].samples) == 100
    assert sum(s.value for s in families["connector_hub_health_connectors"].samples) == 100
    assert HealthCheck.objects.count() == 100


def test_scrapes_share_the_rendered_body_while_the_cache_is_fresh(client, settings):
    # given a five-second cache and an operational connector
    settings.HEALTH_METRICS_CACHE_SECONDS = 5
    check = HealthCheckFactory(status=HealthStatus.OPERATIONAL)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        first = client.get("/metrics").content

        # when it goes down and Prometheus scrapes again within the five seconds
        HealthCheck.objects.filter(pk=check.pk).update(status=HealthStatus.DOWN)
        with CaptureQueriesContext(connection) as cached:
            again = client.get("/metrics").content

        # then the same body is served without reading the database
        assert again == first
        assert len(cached) == 0

        # and once the five seconds have passed the scrape sees the change
        clock.shift(timedelta(seconds=6))
        families = scrape(client)
    assert samples(families, "connector_hub_health_status_code") == {("binance", "clob_cex"): 4.0}


def test_no_cache_when_the_setting_is_zero(client, settings):
    settings.HEALTH_METRICS_CACHE_SECONDS = 0
    check = HealthCheckFactory(status=HealthStatus.OPERATIONAL)
    client.get("/metrics")

    HealthCheck.objects.filter(pk=check.pk).update(status=HealthStatus.DOWN)
    families = scrape(client)

    assert samples(families, "connector_hub_health_status_code") == {("binance", "clob_cex"): 4.0}
    assert cache.get(CACHE_KEY) is None
