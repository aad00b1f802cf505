"""Staff tune checks, annotate incidents and schedule maintenance in the admin."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from health.models import HealthCheck, IncidentNote, MaintenanceWindow
from tests.health.factories import HealthCheckFactory, IncidentFactory

pytestmark = pytest.mark.django_db


def test_staff_change_interval_and_endpoints(client, staff_user):
    check = HealthCheckFactory()
    client.force_login(staff_user)
    url = f"/admin/health/healthcheck/{check.pk}/change/"
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "probe_id": "binance",
            "enabled": "on",
            "interval_seconds": "300",
            "trading_pair": "ETH-USDT",
            "rest_url_override": "https://testnet.example",
            "ws_url_override": "wss://testnet.example/ws",
            "maintenance_windows-TOTAL_FORMS": "1",
            "maintenance_windows-INITIAL_FORMS": "0",
            "maintenance_windows-0-starts_at_0": "2030-01-01",
            "maintenance_windows-0-starts_at_1": "10:00:00",
            "maintenance_windows-0-ends_at_0": "2030-01-01",
            "maintenance_windows-0-ends_at_1": "12:00:00",
            "maintenance_windows-0-reason": "Binance upgrade",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    check.refresh_from_db()
    assert (check.interval_seconds, check.trading_pair) == (300, "ETH-USDT")
    assert check.ws_url_override == "wss://testnet.example/ws"
    window = MaintenanceWindow.objects.get()
    assert window.created_by == staff_user
    assert window.reason == "Binance upgrade"


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("interval_seconds", "5", "greater than or equal to 10"),
        ("trading_pair", "btc/usdt", "BASE-QUOTE"),
        ("ws_url_override", "https://not-a-socket", "ws:// or wss://"),
    ],
)
def test_invalid_check_settings_are_refused(client, staff_user, field, value, error):
    check = HealthCheckFactory()
    client.force_login(staff_user)
    data = {
        "probe_id": "binance",
        "enabled": "on",
        "interval_seconds": "60",
        "maintenance_windows-TOTAL_FORMS": "0",
        "maintenance_windows-INITIAL_FORMS": "0",
        field: value,
    }

    response = client.post(f"/admin/health/healthcheck/{check.pk}/change/", data)

    assert response.status_code == 200
    assert error in response.content.decode()
    assert HealthCheck.objects.get(pk=check.pk).interval_seconds == 60


def test_interval_is_editable_from_the_list(client, staff_user):
    HealthCheckFactory()
    client.force_login(staff_user)

    body = client.get("/admin/health/healthcheck/").content.decode()

    assert 'name="form-0-interval_seconds"' in body


def test_staff_annotate_an_incident(client, staff_user):
    incident = IncidentFactory()
    client.force_login(staff_user)

    response = client.post(
        f"/admin/health/incident/{incident.pk}/change/",
        {
            "notes-TOTAL_FORMS": "1",
            "notes-INITIAL_FORMS": "0",
            "notes-0-body": "Binance moved the depth endpoint; fix in PR #1234.",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    note = IncidentNote.objects.get()
    assert note.author == staff_user
    assert note.body.startswith("Binance moved")


def test_maintenance_window_must_end_after_start(client, staff_user):
    check = HealthCheckFactory()
    client.force_login(staff_user)
    start = timezone.now() + timedelta(days=1)

    response = client.post(
        "/admin/health/maintenancewindow/add/",
        {
            "health_check": check.pk,
            "starts_at_0": start.strftime("%Y-%m-%d"),
            "starts_at_1": "12:00:00",
            "ends_at_0": start.strftime("%Y-%m-%d"),
            "ends_at_1": "11:00:00",
            "reason": "backwards",
        },
    )

    assert response.status_code == 200
    assert not MaintenanceWindow.objects.exists()


def test_results_are_read_only(client, staff_user):
    client.force_login(staff_user)

    assert client.get("/admin/health/checkresult/add/").status_code == 403
    assert client.get("/admin/health/incident/add/").status_code == 403


def test_shortening_the_interval_in_the_list_makes_the_check_due(client, staff_user):
    from health.models import CheckSchedule

    check = HealthCheckFactory(interval_seconds=3600)
    schedule = CheckSchedule.objects.create(
        health_check=check, region="eu", next_check_at=timezone.now() + timedelta(minutes=50)
    )
    client.force_login(staff_user)

    response = client.post(
        "/admin/health/healthcheck/",
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": check.pk,
            "form-0-enabled": "on",
            "form-0-interval_seconds": "60",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    schedule.refresh_from_db()
    assert schedule.next_check_at <= timezone.now()
