"""The public pages: the status page (constant queries from 10 to 200 connectors, cached for
visitors), a connector's health panel, incidents, badges and the Atom feed (/metrics is in
test_metrics.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connectors_registry.models import ConnectorType, Namespace, SubType
from core.cache import visitor_copy_key
from health.models import HealthStatus, IncidentNote, UptimeDaily, UptimeHourly
from health.services.summaries import uptime_summaries_refresh_outdated
from health.services.sweep import health_checks_sync
from tests.factories import ConnectorFactory
from tests.health.factories import (
    CheckResultFactory,
    HealthCheckFactory,
    IncidentFactory,
    MaintenanceWindowFactory,
)

pytestmark = pytest.mark.django_db


def make_connectors(count: int, start: int = 0) -> None:
    """Monitored connectors of every type, with rollups, incidents and maintenance."""
    now = timezone.now()
    kinds = [ConnectorType.CLOB_CEX, ConnectorType.CLOB_DEX, ConnectorType.AMM_DEX]
    for index in range(start, start + count):
        kind = kinds[index % 3]
        gateway = kind == ConnectorType.AMM_DEX
        connector = ConnectorFactory(
            connector_id=f"exchange_{index}",
            connector_type=kind,
            namespace=Namespace.GATEWAY if gateway else Namespace.CLIENT,
            sub_type=SubType.AMM if gateway else SubType.SPOT,
        )
        check = HealthCheckFactory(
            connector=connector,
            probe_id="gateway" if gateway else "binance",
            status=[HealthStatus.OPERATIONAL, HealthStatus.DOWN, HealthStatus.DEGRADED][index % 3],
        )
        for day in range(3):
            UptimeDaily.objects.create(
                health_check=check,
                day=now.date() - timedelta(days=day),
                slots=10,
                up=9,
                degraded=0,
                down=1,
                latency_sum_ms=1000,
                latency_count=9,
            )
        UptimeHourly.objects.create(
            health_check=check,
            hour=now.replace(minute=0, second=0, microsecond=0),
            slots=10,
            up=10,
            latency_sum_ms=1500,
            latency_count=10,
        )
        if index % 3 == 1:
            IncidentFactory(health_check=check)
        if index % 5 == 0:
            MaintenanceWindowFactory(
                health_check=check,
                starts_at=now + timedelta(days=1),
                ends_at=now + timedelta(days=2),
            )
    uptime_summaries_refresh_outdated()  # as the beat's rollup does


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_status_page_query_count_does_not_grow_with_connectors(client, django_assert_num_queries):
    # given 10 connectors
    make_connectors(10)
    baseline = queries_for(client, "/status/")

    # when there are 200
    make_connectors(190, start=10)

    # then the page takes exactly as many queries
    with django_assert_num_queries(baseline):
        response = client.get("/status/")
    assert response.content.decode().count('data-connector="') == 200
    assert baseline <= 10


def test_status_page_groups_connectors_by_type_with_svg_charts(client, settings):
    settings.GATEWAY_URL = "http://127.0.0.1:15888"
    make_connectors(6)

    body = client.get("/status/").content.decode()

    for group in ("CLOB CEX", "CLOB DEX", "AMM DEX"):
        assert group in body
    assert body.count('<svg class="uptime-bars"') == 6
    assert body.count('<svg class="sparkline"') == 6
    assert '<rect class="run run-down"' in body  # 1 of 10 slots down
    assert 'fill="url(#uptime-none)"' in body  # days without data merge into one rect
    assert '<pattern id="uptime-down"' in body
    assert "<polyline points=" in body
    assert "2 connectors down" in body
    assert "Ongoing incidents" in body
    assert "Scheduled maintenance" in body


def test_status_page_shows_unmonitored_amm_connectors_as_not_monitored(client, settings):
    settings.GATEWAY_URL = ""
    ConnectorFactory(
        connector_id="uniswap",
        namespace=Namespace.GATEWAY,
        connector_type=ConnectorType.AMM_DEX,
        sub_type=SubType.CLMM,
        slug="uniswap-clmm",
    )
    health_checks_sync()

    body = client.get("/status/").content.decode()

    assert 'data-connector="uniswap/clmm"' in body
    assert 'data-status="not_monitored"' in body
    assert "checked through a Hummingbot Gateway, and none is configured" in body


def test_status_page_warns_when_workers_are_stale(client):
    HealthCheckFactory(status=HealthStatus.OPERATIONAL)

    body = client.get("/status/").content.decode()

    assert 'data-testid="stale-notice"' in body
    assert "Health data may be stale" in body


def test_status_page_is_cached_for_visitors(client, settings, django_assert_num_queries):
    settings.HEALTH_STATUS_PAGE_CACHE_SECONDS = 30
    cache.clear()
    HealthCheckFactory(status=HealthStatus.OPERATIONAL)
    first = client.get("/status/")

    with django_assert_num_queries(0):
        second = client.get("/status/")

    assert second.content == first.content
    cache.clear()


def test_signed_in_staff_get_a_fresh_page(client, settings, staff_user):
    settings.HEALTH_STATUS_PAGE_CACHE_SECONDS = 30
    cache.clear()
    client.force_login(staff_user)

    body = client.get("/status/").content.decode()

    assert "Staff admin" in body
    assert cache.get(visitor_copy_key("/status/")) is None


def test_a_group_fragment_is_reused_until_one_of_its_rows_changes(client, settings):
    settings.HEALTH_STATUS_FRAGMENT_CACHE_SECONDS = 300
    cache.clear()
    check = HealthCheckFactory(status=HealthStatus.OPERATIONAL)
    first = client.get("/status/").content.decode()
    fragments = [key for key in cache._cache if "template.cache.status-group" in key]  # type: ignore[attr-defined]
    assert len(fragments) == 1

    check.status = HealthStatus.DOWN
    check.save()
    second = client.get("/status/").content.decode()

    assert 'data-status="operational"' in first
    assert 'data-status="down"' in second
    assert len([k for k in cache._cache if "template.cache.status-group" in k]) == 2  # type: ignore[attr-defined]
    # nothing changed since: the group's rows are not even read
    drawn = queries_for(client, "/status/")
    settings.HEALTH_STATUS_FRAGMENT_CACHE_SECONDS = 0
    cache.clear()
    assert queries_for(client, "/status/") > drawn
    cache.clear()


def test_connector_page_has_a_health_panel_with_results(client):
    check = HealthCheckFactory(status=HealthStatus.DOWN, last_result_at=timezone.now())
    CheckResultFactory(health_check=check, outcome="down")
    IncidentFactory(health_check=check)

    body = client.get(check.connector.get_absolute_url()).content.decode()

    assert 'data-testid="health-panel"' in body
    assert 'data-status="down"' in body
    assert "order book is empty" in body
    assert 'class="uptime-bars"' in body
    assert "/badge/binance.svg" in body


def test_connector_page_panel_for_unmonitored_connector(client):
    connector = ConnectorFactory(connector_id="backpack")

    body = client.get(connector.get_absolute_url()).content.decode()

    assert "there is no bundled connector for <code>backpack</code> yet" in body


def test_incident_page_shows_staff_notes(client, staff_user):
    incident = IncidentFactory()
    IncidentNote.objects.create(incident=incident, author=staff_user, body="Binance changed depth.")

    body = client.get(f"/status/incidents/{incident.pk}/").content.decode()

    assert incident.title in body
    assert "Binance changed depth." in body
    assert client.get("/status/incidents/999999/").status_code == 404


@pytest.mark.parametrize(
    ("status", "text", "colour"),
    [
        (HealthStatus.OPERATIONAL, "operational", "#2e8540"),
        (HealthStatus.DOWN, "down", "#c62828"),
        (HealthStatus.DEGRADED, "degraded", "#b26b00"),
    ],
)
def test_badge_shows_status(client, status, text, colour):
    HealthCheckFactory(status=status)

    response = client.get("/badge/binance.svg")

    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "public, max-age=300"
    svg = ElementTree.fromstring(response.content)  # noqa: S314 (our own output)
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["binance", text]
    assert colour in response.content.decode()


def test_badge_for_unmonitored_and_unknown_connectors(client):
    ConnectorFactory(connector_id="backpack")
    assert b"not monitored" in client.get("/badge/backpack.svg").content
    assert client.get("/badge/nope.svg").status_code == 404


def test_atom_feed_lists_incidents(client):
    incident = IncidentFactory()
    IncidentFactory(
        health_check=incident.health_check,
        opened_at=timezone.now() - timedelta(days=2),
        resolved_at=timezone.now() - timedelta(days=1),
    )

    response = client.get("/status/incidents.atom")

    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)  # noqa: S314 (our own output)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    titles = [e.text for e in feed.findall("a:entry/a:title", ns)]
    assert titles == ["binance is down (ongoing)", "binance is down (resolved)"]
    assert feed.find("a:entry/a:id", ns).text == f"connector-hub-incident-{incident.pk}"


def test_navigation_links_to_the_status_page(client):
    body = client.get("/").content.decode()

    assert 'href="/status/"' in body


def test_status_page_latency_sparkline_spans_24_hours():
    from health.uptime import latency_points

    now = datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
    check = HealthCheckFactory()
    rows = [
        UptimeHourly(
            health_check=check,
            hour=datetime(2026, 11, 25, 12, tzinfo=UTC),
            latency_sum_ms=300,
            latency_count=2,
        ),
        UptimeHourly(
            health_check=check,
            hour=datetime(2026, 11, 24, 13, tzinfo=UTC),
            latency_sum_ms=90,
            latency_count=1,
        ),
    ]

    points = latency_points(rows, now=now)

    assert len(points) == 24
    assert points[0] == 90
    assert points[-1] == 150
    assert points[1:-1] == [None] * 22


def test_uptime_runs_merge_days_of_the_same_level():
    from health.uptime import DayCell, bar_runs

    day = datetime(2026, 11, 1, tzinfo=UTC).date()
    cells = [DayCell(day + timedelta(days=i), 0, 0, 0, 0) for i in range(3)]
    cells += [DayCell(day + timedelta(days=3 + i), 10, 10, 0, 0) for i in range(4)]
    cells += [
        DayCell(day + timedelta(days=7), 10, 9, 0, 1),
        DayCell(day + timedelta(days=8), 10, 9, 0, 1),
    ]

    runs = bar_runs(cells)

    assert [(run.start, run.length, run.level) for run in runs] == [
        (0, 3, "none"),
        (3, 4, "up"),
        (7, 2, "down"),
    ]
    assert runs[0].label == "01 Nov to 03 Nov 2026: no data"
    assert runs[1].label == "04 Nov to 07 Nov 2026: 100.00% up (0 down of 40 checks)"
    assert runs[2].label == "08 Nov to 09 Nov 2026: 90.00% up (2 down of 20 checks)"


def test_bundled_connectors_show_unknown_before_the_first_sweep(client):
    ConnectorFactory(connector_id="kraken", slug="kraken")

    body = client.get("/status/").content.decode()

    assert 'data-connector="kraken"' in body
    assert 'data-status="unknown"' in body
    assert "Waiting for the first check results." in body
