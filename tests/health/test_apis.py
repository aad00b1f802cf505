"""The health JSON API: a Statuspage-style summary, a connector's detail, incidents."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from health.models import HealthStatus, UptimeDaily
from tests.health.factories import CheckResultFactory, HealthCheckFactory, IncidentFactory

pytestmark = pytest.mark.django_db


def test_summary_lists_components_and_open_incidents(client):
    check = HealthCheckFactory(status=HealthStatus.DOWN, last_result_at=timezone.now())
    IncidentFactory(health_check=check)
    IncidentFactory(
        health_check=check,
        opened_at=timezone.now() - timedelta(days=3),
        resolved_at=timezone.now() - timedelta(days=2),
    )

    data = client.get("/api/v1/health/summary/").json()

    assert data["status"]["indicator"] == "down"
    assert data["status"]["counts"] == {"down": 1}
    (component,) = data["components"]
    assert component["name"] == "binance"
    assert component["status"] == "down"
    assert component["monitored"] is True
    assert [i["status"] for i in data["incidents"]] == ["ongoing"]
    assert data["incidents"][0]["url"].startswith("http://testserver/status/incidents/")
    assert data["scheduled_maintenances"] == []


def test_connector_detail_has_uptime_days_and_latest_results(client):
    check = HealthCheckFactory(status=HealthStatus.OPERATIONAL)
    CheckResultFactory(health_check=check, region="eu")
    CheckResultFactory(health_check=check, region="us")
    UptimeDaily.objects.create(
        health_check=check, day=timezone.now().date(), slots=4, up=3, degraded=0, down=1
    )

    data = client.get("/api/v1/health/connectors/binance/").json()

    assert data["component"]["status"] == "operational"
    assert data["trading_pair"] == "BTC-USDT"
    assert len(data["uptime_days"]) == 90
    assert data["uptime_days"][-1]["ratio"] == 0.75
    assert len(data["latency_ms_hourly"]) == 24
    assert {r["region"] for r in data["latest_results"]} == {"eu", "us"}
    assert data["latest_results"][0]["step_latencies_ms"]["markets"] == 40


def test_unknown_connector_is_404(client):
    assert client.get("/api/v1/health/connectors/nope/").status_code == 404


def test_incident_list_is_paginated_newest_first(client):
    check = HealthCheckFactory()
    older = IncidentFactory(
        health_check=check,
        opened_at=timezone.now() - timedelta(days=5),
        resolved_at=timezone.now() - timedelta(days=4),
    )
    newer = IncidentFactory(health_check=check)

    data = client.get("/api/v1/health/incidents/").json()

    assert [i["id"] for i in data["results"]] == [newer.pk, older.pk]
    assert data["count"] == 2


def test_api_is_read_only(client):
    assert client.post("/api/v1/health/summary/").status_code in (403, 405)


def test_schema_documents_the_health_endpoints(client):
    schema = client.get("/api/schema/").content.decode()

    assert "/api/v1/health/summary/" in schema
    assert "/api/v1/health/connectors/{slug}/" in schema


def test_incidents_carry_staff_updates(client, staff_user, django_assert_max_num_queries):
    from health.models import IncidentNote

    incident = IncidentFactory()
    IncidentNote.objects.create(incident=incident, author=staff_user, body="Fix merged.")
    IncidentNote.objects.create(incident=incident, author=staff_user, body="Monitoring.")

    with django_assert_max_num_queries(6):
        data = client.get("/api/v1/health/incidents/").json()

    assert [u["body"] for u in data["results"][0]["updates"]] == ["Fix merged.", "Monitoring."]


def test_summary_is_built_once_for_everyone_while_fresh(client, settings):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.HEALTH_STATUS_PAGE_CACHE_SECONDS = 30
    cache.clear()
    HealthCheckFactory(status=HealthStatus.OPERATIONAL)
    first = client.get("/api/v1/health/summary/")

    with CaptureQueriesContext(connection) as captured:
        second = client.get("/api/v1/health/summary/", HTTP_ACCEPT="application/json")

    assert not [q for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert second.json() == first.json()
    assert second.json()["components"][0]["status"] == "operational"
    cache.clear()
