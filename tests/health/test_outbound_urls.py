"""Staff's per-check REST and WebSocket URLs (issue 11): only public http(s) / ws(s) targets,
refused when saved and again before each check runs (DNS can change in between); the
simulator on loopback where ``OUTBOUND_ALLOW_PRIVATE_NETWORKS`` allows it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from health.connectors.base import ProbeError
from health.models import HealthCheck, Outcome
from health.probes import overrides_check
from health.services.checks import check_run
from tests.health.factories import HealthCheckFactory

pytestmark = pytest.mark.django_db

SLOT = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

REFUSED = [
    ("rest_url_override", "http://127.0.0.1:8765/binance", "127.0.0.1 is a loopback address"),
    ("rest_url_override", "http://169.254.169.254/latest/", "is a link-local address"),
    ("rest_url_override", "http://[::1]:8765/binance", "::1 is a loopback address"),
    ("rest_url_override", "http://10.2.3.4/api", "10.2.3.4 is a private address"),
    ("rest_url_override", "http://localhost:8765/binance", "localhost resolves to"),
    ("rest_url_override", "ftp://1.1.1.1/binance", "ftp:// is not allowed"),
    ("ws_url_override", "ws://127.0.0.1:8765/binance/ws", "127.0.0.1 is a loopback address"),
    ("ws_url_override", "wss://[::1]/ws", "::1 is a loopback address"),
    ("ws_url_override", "wss://169.254.169.254/ws", "is a link-local address"),
    ("ws_url_override", "ws://localhost:8765/ws", "localhost resolves to"),
]


@pytest.fixture
def strict(settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False


@pytest.fixture
def no_connection(monkeypatch):
    """Fails the test if a probe would open a connection at all."""

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the probe opened a connection")

    monkeypatch.setattr("requests.Session.request", refuse)
    monkeypatch.setattr("health.connectors.base.connect", refuse)


@pytest.mark.usefixtures("strict")
@pytest.mark.parametrize(("field", "url", "message"), REFUSED)
def test_internal_override_is_refused_when_saved(field, url, message):
    check = HealthCheckFactory(**{field: url})  # as stored before the rule

    with pytest.raises(ValidationError) as refused:
        check.full_clean()

    assert message in " ".join(refused.value.message_dict[field])


@pytest.mark.usefixtures("strict")
def test_public_overrides_are_accepted_when_saved():
    HealthCheckFactory(
        rest_url_override="https://1.1.1.1/api", ws_url_override="wss://1.1.1.1/ws"
    ).full_clean()


@pytest.mark.usefixtures("strict", "no_connection")
@pytest.mark.parametrize(("field", "url", "message"), REFUSED)
def test_internal_override_is_refused_before_the_check_runs(field, url, message):
    # given an override saved while allowed (or before the rule)
    check = HealthCheckFactory(**{field: url})

    # when the check runs
    result = check_run(check_id=check.pk, scheduled_for=SLOT, region="eu")

    # then nothing was requested, and the result says which URL and why
    label = "REST base URL" if field == "rest_url_override" else "WebSocket URL"
    assert result is not None
    assert result.outcome == Outcome.DOWN
    assert result.reason.startswith(f"misconfigured: the check's {label} {url} is refused: ")
    assert message in result.reason
    assert message in HealthCheck.objects.get(pk=check.pk).last_reason


@pytest.mark.usefixtures("strict")
def test_an_override_whose_name_now_resolves_to_a_private_address_is_refused(monkeypatch):
    import socket

    answers = {"testnet.example": "93.184.215.14"}

    def getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]

    monkeypatch.setattr("core.outbound.socket.getaddrinfo", getaddrinfo)
    check = HealthCheckFactory(rest_url_override="https://testnet.example/api")
    check.full_clean()
    overrides_check(check=check)
    answers["testnet.example"] = "192.168.10.10"

    with pytest.raises(
        ProbeError, match=r"testnet\.example resolves to 192\.168\.10\.10, which is"
    ):
        overrides_check(check=check)


def test_the_simulator_on_loopback_is_probed_where_private_networks_are_allowed(sim, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True
    check = HealthCheckFactory(
        rest_url_override=sim.rest_url("binance"), ws_url_override=sim.ws_url("binance")
    )
    check.full_clean()

    result = check_run(check_id=check.pk, scheduled_for=SLOT, region="eu")

    assert result is not None
    assert result.outcome == Outcome.UP, result.reason


def test_settings_endpoints_are_the_operators_and_not_checked(settings, sim, no_connection):
    # HEALTH_ENDPOINT_OVERRIDES (like GATEWAY_URL and the simulator switch) come from the
    # operator's environment, not from the admin: only the per-check URLs are checked
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    settings.HEALTH_ENDPOINT_OVERRIDES = {"binance": {"rest": sim.rest_url("binance")}}
    check = HealthCheckFactory()

    overrides_check(check=check)  # nothing to refuse


def test_admin_refuses_an_internal_override(client, staff_user, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    check = HealthCheckFactory()
    client.force_login(staff_user)
    data = {
        "probe_id": "binance",
        "enabled": "on",
        "interval_seconds": "60",
        "maintenance_windows-TOTAL_FORMS": "0",
        "maintenance_windows-INITIAL_FORMS": "0",
        "rest_url_override": "http://169.254.169.254/latest/",
        "ws_url_override": "ws://[::1]:8765/ws",
    }

    response = client.post(f"/admin/health/healthcheck/{check.pk}/change/", data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "169.254.169.254 is a link-local address" in page
    assert "::1 is a loopback address" in page
    assert HealthCheck.objects.get(pk=check.pk).rest_url_override == ""
