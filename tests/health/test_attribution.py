"""Whose fault: our monitoring offline, the exchange down, or the connector regressed.

Probe-level faults come from real checks against the exchange simulator (its faults and its
simulated status endpoints); the attribution rules are tested on both sides of each one.
"""

from __future__ import annotations

import socket
from datetime import timedelta
from unittest.mock import patch

import pytest
from django.utils import timezone

from health.attribution import failure_attribution, monitoring_offline
from health.checks import Verdict
from health.connectors import Fault
from health.models import (
    AlertDelivery,
    Attribution,
    ExchangeStatus,
    HealthStatus,
    Incident,
    Outcome,
)
from health.services.status import health_status_evaluate
from health.simulator import Faults
from tests.factories import ConnectorFactory, ExchangeFactory, MaintainerFactory
from tests.health.factories import CheckResultFactory, HealthCheckFactory
from tests.health.test_connectors_simulator import FAST, LIMITS, check, probe_for

# -- what a failed check records --------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("http_500", Fault.EXCHANGE),
        ("rate_limited", Fault.EXCHANGE),
        ("ip_banned", Fault.EXCHANGE),
        ("html_error", Fault.EXCHANGE),
        ("maintenance", Fault.EXCHANGE),
        ("malformed_json", Fault.CONNECTOR),
        ("empty_book", Fault.CONNECTOR),
        ("crossed_book", Fault.CONNECTOR),
        ("stale_timestamp", Fault.CONNECTOR),
    ],
)
def test_each_simulated_fault_points_at_the_right_side(sim, fault, expected):
    sim.faults.set("okx", Faults(fault=fault))

    report = check(sim, "okx")

    assert report.verdict == Verdict.DOWN
    assert report.fault == expected, report.reason


def test_no_answer_at_all_is_the_network():
    from health.checks import run_check
    from health.connectors import BUNDLED, Endpoints

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    probe = BUNDLED["kraken"](
        endpoints=Endpoints(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws"),
        timeouts=FAST,
    )

    report = run_check(probe=probe, trading_pair="BTC-USD", limits=LIMITS)

    assert report.fault == Fault.NETWORK
    assert report.exchange_status is None  # nothing to ask when nothing answers


@pytest.mark.parametrize("connector_id", ["binance", "okx", "kraken", "kucoin"])
def test_in_maintenance_the_status_endpoint_says_so(sim, connector_id):
    sim.faults.set(connector_id, Faults(fault="maintenance"))

    report = check(sim, connector_id)

    assert report.exchange_status is not None
    assert report.exchange_status.normal is False
    assert report.exchange_status.message


@pytest.mark.parametrize("connector_id", ["binance", "okx", "kraken", "kucoin"])
def test_a_failure_of_ours_with_the_exchange_up_reads_normal(sim, connector_id):
    sim.faults.set(connector_id, Faults(fault="empty_book", scope="order_book"))

    report = check(sim, connector_id)

    assert report.verdict == Verdict.DOWN
    assert report.exchange_status is not None
    assert report.exchange_status.normal is True


def test_an_exchange_without_a_status_endpoint_is_not_asked(sim):
    sim.faults.set("bybit", Faults(fault="maintenance"))

    report = check(sim, "bybit")

    assert report.fault == Fault.EXCHANGE
    assert report.exchange_status is None


def test_a_healthy_check_does_not_ask_for_the_status(sim):
    with patch.object(type(probe_for(sim, "binance")), "system_status") as asked:
        report = check(sim, "binance")

    assert report.verdict == Verdict.UP
    asked.assert_not_called()


# -- (a) monitoring offline -------------------------------------------------------------


def _result(check, *, fault: str, outcome: str = Outcome.DOWN, at=None, region: str = "eu"):  # type: ignore[no-untyped-def]
    at = at or timezone.now()
    return CheckResultFactory(
        health_check=check,
        region=region,
        outcome=outcome,
        fault=fault,
        scheduled_for=at,
        finished_at=at,
        failed_step="server_time" if outcome == Outcome.DOWN else "",
        reason="GET /time failed to connect: DNS lookup of api.example failed"
        if fault == Fault.NETWORK
        else ("order book is empty" if outcome == Outcome.DOWN else ""),
    )


def _checks_on_exchanges(*names: str):  # type: ignore[no-untyped-def]
    checks = []
    for name in names:
        exchange = ExchangeFactory(slug=name, name=name.title())
        connector = ConnectorFactory(connector_id=name, exchange=exchange)
        checks.append(HealthCheckFactory(connector=connector, status=HealthStatus.OPERATIONAL))
    return checks


@pytest.mark.django_db
def test_every_check_unreachable_across_exchanges_is_monitoring_offline():
    now = timezone.now()
    for check_ in _checks_on_exchanges("binance", "okx", "kraken"):
        _result(check_, fault=Fault.NETWORK, at=now)

    verdict = monitoring_offline(region="eu", now=now)

    assert verdict is not None
    assert (verdict.checks, verdict.exchanges) == (3, 3)
    assert "monitoring offline in eu" in verdict.reason


@pytest.mark.django_db
def test_one_check_that_answered_means_monitoring_is_online():
    now = timezone.now()
    binance, okx, kraken = _checks_on_exchanges("binance", "okx", "kraken")
    _result(binance, fault=Fault.NETWORK, at=now)
    _result(okx, fault=Fault.NETWORK, at=now)
    _result(kraken, fault="", outcome=Outcome.UP, at=now)

    assert monitoring_offline(region="eu", now=now) is None


@pytest.mark.django_db
def test_only_the_newest_result_of_each_check_counts():
    now = timezone.now()
    binance, okx = _checks_on_exchanges("binance", "okx")
    _result(binance, fault="", outcome=Outcome.UP, at=now - timedelta(minutes=2))
    _result(binance, fault=Fault.NETWORK, at=now)
    _result(okx, fault=Fault.NETWORK, at=now)

    assert monitoring_offline(region="eu", now=now) is not None


@pytest.mark.django_db
def test_one_exchange_unreachable_is_not_monitoring_offline(settings):
    settings.HEALTH_OFFLINE_MIN_EXCHANGES = 2
    now = timezone.now()
    (binance,) = _checks_on_exchanges("binance")
    _result(binance, fault=Fault.NETWORK, at=now)

    assert monitoring_offline(region="eu", now=now) is None


@pytest.mark.django_db
def test_results_older_than_the_window_do_not_count(settings):
    settings.HEALTH_OFFLINE_WINDOW_SECONDS = 600
    now = timezone.now()
    for check_ in _checks_on_exchanges("binance", "okx"):
        _result(check_, fault=Fault.NETWORK, at=now - timedelta(seconds=601))

    assert monitoring_offline(region="eu", now=now) is None


@pytest.mark.django_db
def test_another_region_offline_does_not_make_this_one_offline():
    now = timezone.now()
    for check_ in _checks_on_exchanges("binance", "okx"):
        _result(check_, fault=Fault.NETWORK, at=now, region="us")

    assert monitoring_offline(region="us", now=now) is not None
    assert monitoring_offline(region="eu", now=now) is None


@pytest.mark.django_db
def test_while_monitoring_is_offline_no_incident_opens_and_nobody_is_paged(settings):
    settings.HEALTH_FAILURE_THRESHOLD = 1
    maintainer = MaintainerFactory(alert_webhook_url="https://hooks.example/1")
    checks = _checks_on_exchanges("binance", "okx", "kraken")
    for check_ in checks:
        check_.connector.maintainer = maintainer
        check_.connector.save()
    now = timezone.now()
    for check_ in checks:
        _result(check_, fault=Fault.NETWORK, at=now)

    for check_ in checks:
        health_status_evaluate(check_id=check_.pk, now=now)

    assert not Incident.objects.exists()
    assert not AlertDelivery.objects.exists()
    for check_ in checks:
        check_.refresh_from_db()
        assert check_.status == HealthStatus.UNKNOWN
        assert check_.status_changes.get().reason.startswith("monitoring offline in eu")


# -- (b) exchange outage vs (c) connector regression -------------------------------------


@pytest.fixture
def failing_check(db, settings):  # type: ignore[no-untyped-def]
    settings.HEALTH_FAILURE_THRESHOLD = 1
    maintainer = MaintainerFactory(alert_webhook_url="https://hooks.example/1")
    exchange = ExchangeFactory(slug="okx", name="OKX")
    connector = ConnectorFactory(connector_id="okx", exchange=exchange, maintainer=maintainer)
    return HealthCheckFactory(connector=connector, status=HealthStatus.OPERATIONAL)


def _evaluate(check_, **result):  # type: ignore[no-untyped-def]
    now = timezone.now()
    _result(check_, at=now, **result)
    with patch("health.services.alerts.alert_deliver_enqueue"):
        health_status_evaluate(check_id=check_.pk, now=now)
    return Incident.objects.get(health_check=check_)


def test_the_status_endpoint_saying_maintenance_is_the_exchange(failing_check):
    now = timezone.now()
    CheckResultFactory(
        health_check=failing_check,
        outcome=Outcome.DOWN,
        fault=Fault.EXCHANGE,
        exchange_status=ExchangeStatus.IMPAIRED,
        exchange_notice="Spot system upgrade",
        scheduled_for=now,
        finished_at=now,
    )
    with patch("health.services.alerts.alert_deliver_enqueue"):
        health_status_evaluate(check_id=failing_check.pk, now=now)

    incident = Incident.objects.get(health_check=failing_check)
    assert incident.attribution == Attribution.EXCHANGE
    assert incident.attribution_reason == "OKX's status page says: Spot system upgrade"
    assert not AlertDelivery.objects.exists()  # the maintainer is not paged for an outage


def test_an_outage_answer_is_the_exchange(failing_check):
    incident = _evaluate(failing_check, fault=Fault.EXCHANGE)

    assert incident.attribution == Attribution.EXCHANGE
    assert "answered with an outage" in incident.attribution_reason


def test_the_exchange_alone_unreachable_is_the_exchange(failing_check):
    incident = _evaluate(failing_check, fault=Fault.NETWORK)

    assert incident.attribution == Attribution.EXCHANGE
    assert "cannot be reached while other exchanges answer" in incident.attribution_reason


def test_a_usable_answer_the_connector_cannot_read_is_a_regression(failing_check):
    incident = _evaluate(failing_check, fault=Fault.CONNECTOR)

    assert incident.attribution == Attribution.CONNECTOR
    assert (
        incident.attribution_reason
        == "OKX answers; the connector fails at server time: order book is empty"
    )
    assert AlertDelivery.objects.filter(url="https://hooks.example/1").count() == 1


def test_every_connector_of_the_exchange_failing_is_the_exchange(failing_check):
    perpetual = ConnectorFactory(
        connector_id="okx_perpetual", exchange=failing_check.connector.exchange
    )
    HealthCheckFactory(connector=perpetual, status=HealthStatus.DOWN)

    incident = _evaluate(failing_check, fault=Fault.CONNECTOR)

    assert incident.attribution == Attribution.EXCHANGE
    assert incident.attribution_reason == "all 2 monitored connectors of OKX are failing"


def test_a_sibling_still_operational_keeps_it_a_regression(failing_check):
    perpetual = ConnectorFactory(
        connector_id="okx_perpetual", exchange=failing_check.connector.exchange
    )
    HealthCheckFactory(connector=perpetual, status=HealthStatus.OPERATIONAL)

    incident = _evaluate(failing_check, fault=Fault.CONNECTOR)

    assert incident.attribution == Attribution.CONNECTOR


def test_attribution_is_kept_current_while_the_incident_is_open(failing_check):
    now = timezone.now()
    incident = _evaluate(failing_check, fault=Fault.CONNECTOR)
    assert incident.attribution == Attribution.CONNECTOR

    # later the failure turns out to be the exchange's (the check gets worse: down → ...)
    failing_check.refresh_from_db()
    verdict = failure_attribution(
        check=failing_check,
        failing=[
            CheckResultFactory(
                health_check=failing_check,
                outcome=Outcome.DOWN,
                fault=Fault.EXCHANGE,
                exchange_status=ExchangeStatus.IMPAIRED,
                scheduled_for=now + timedelta(minutes=1),
                finished_at=now + timedelta(minutes=1),
            )
        ],
        now=now,
    )

    assert verdict.attribution == Attribution.EXCHANGE


# -- the status page says it ------------------------------------------------------------


@pytest.mark.django_db
def test_the_status_page_says_monitoring_is_offline(client):
    from health.models import CheckSchedule

    now = timezone.now()
    for check_ in _checks_on_exchanges("binance", "okx"):
        CheckSchedule.objects.create(health_check=check_, region="eu", next_check_at=now)
        _result(check_, fault=Fault.NETWORK, at=now)

    page = client.get("/status/").content.decode()

    assert 'data-testid="monitoring-offline"' in page
    assert "Monitoring offline in eu" in page


@pytest.mark.django_db
def test_the_status_page_shows_whose_fault_each_incident_is(client):
    from tests.health.factories import IncidentFactory

    (okx,) = _checks_on_exchanges("okx")
    IncidentFactory(
        health_check=okx,
        attribution=Attribution.EXCHANGE,
        attribution_reason="OKX's status page says: upgrade",
    )

    page = client.get("/status/").content.decode()

    assert "Exchange outage" in page
    assert "OKX&#x27;s status page says: upgrade" in page
    assert 'data-testid="monitoring-offline"' not in page


@pytest.mark.django_db
def test_the_incidents_api_says_whose_fault(client):
    from tests.health.factories import IncidentFactory

    (okx,) = _checks_on_exchanges("okx")
    IncidentFactory(
        health_check=okx,
        attribution=Attribution.EXCHANGE,
        attribution_reason="OKX answered with an outage: HTTP 503",
    )

    (row,) = client.get("/api/v1/health/incidents/").json()["results"]

    assert row["attribution"] == "exchange"
    assert row["attribution_reason"] == "OKX answered with an outage: HTTP 503"
