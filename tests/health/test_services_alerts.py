"""Alert delivery to a real webhook receiver on loopback: Discord- and Slack-compatible
JSON, retries with backoff on temporary failures, never a second post of a sent alert."""

from __future__ import annotations

import socket
from datetime import timedelta
from unittest.mock import patch

import pytest
from django.utils import timezone

from health.errors import AlertTemporaryError
from health.models import AlertDelivery, DeliveryState, HealthStatus, StatusChange
from health.services.alerts import (
    alert_deliver,
    alert_deliveries_requeue,
    alert_payload,
)
from health.tasks import alert_deliver_task
from tests.factories import ConnectorFactory, MaintainerFactory
from tests.health.factories import HealthCheckFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def delivery(webhook):
    maintainer = MaintainerFactory(alert_webhook_url=webhook.url)
    check = HealthCheckFactory(
        connector=ConnectorFactory(connector_id="kraken", maintainer=maintainer, slug="kraken")
    )
    change = StatusChange.objects.create(
        health_check=check,
        from_status=HealthStatus.OPERATIONAL,
        to_status=HealthStatus.DOWN,
        reason="Order book: order book is crossed: best bid 65325 >= best ask 65006.5",
        created_at=timezone.now(),
    )
    return AlertDelivery.objects.create(status_change=change, url=webhook.url)


def test_alert_is_posted_once_with_content_and_text(delivery, webhook):
    # when the delivery is sent, then sent again (a redelivered task)
    sent = alert_deliver(delivery_id=delivery.pk)
    again = alert_deliver(delivery_id=delivery.pk)

    # then the receiver got exactly one post, readable by Discord and by Slack
    assert len(webhook.requests) == 1
    body = webhook.requests[0]["json"]
    assert set(body) == {"content", "text"}
    assert body["content"] == body["text"]
    assert body["text"].startswith("🔴 kraken: Operational → Down")
    assert "order book is crossed" in body["text"]
    assert "https://hub.example.org/connectors/kraken/" in body["text"]
    assert webhook.requests[0]["path"] == "/hooks/alerts"
    assert sent.state == again.state == DeliveryState.SENT
    assert sent.response_status == 204
    assert sent.attempts == 1


def test_server_errors_are_retried_until_accepted(delivery, webhook):
    # given the webhook fails twice with 502 and 429, then accepts
    webhook.statuses = [502, 429, 200]

    for _ in range(2):
        with pytest.raises(AlertTemporaryError):
            alert_deliver(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert delivery.state == DeliveryState.PENDING
    result = alert_deliver(delivery_id=delivery.pk)

    assert result.state == DeliveryState.SENT
    assert result.attempts == 3
    assert len(webhook.requests) == 3


def test_task_retries_temporary_failures_with_backoff(delivery, webhook, settings):
    # the task lets Celery retry (exponential backoff with jitter, capped) on a temporary
    # failure; the real-worker test sees a retried alert arrive
    webhook.statuses = [503]
    assert alert_deliver_task.autoretry_for == (AlertTemporaryError,)
    assert alert_deliver_task.retry_backoff == 5
    assert alert_deliver_task.retry_backoff_max == 600
    assert alert_deliver_task.retry_jitter is True
    assert alert_deliver_task.max_retries == settings.HEALTH_ALERT_MAX_RETRIES

    with pytest.raises(AlertTemporaryError):
        alert_deliver_task.run(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING
    assert delivery.last_error == "HTTP 503: "


def test_client_errors_are_permanent(delivery, webhook):
    webhook.statuses = [404]

    result = alert_deliver(delivery_id=delivery.pk)

    assert result.state == DeliveryState.FAILED
    assert result.last_error.startswith("HTTP 404")
    assert alert_deliver(delivery_id=delivery.pk).attempts == 1  # no further post


def test_gives_up_after_the_last_retry(delivery, webhook, settings):
    settings.HEALTH_ALERT_MAX_RETRIES = 1
    webhook.statuses = [500, 500, 500]

    with pytest.raises(AlertTemporaryError):
        alert_deliver(delivery_id=delivery.pk)
    result = alert_deliver(delivery_id=delivery.pk)

    assert result.state == DeliveryState.FAILED
    assert len(webhook.requests) == 2


def test_unreachable_webhook_is_a_temporary_failure(delivery):
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    AlertDelivery.objects.filter(pk=delivery.pk).update(url=f"http://127.0.0.1:{port}/x")

    with pytest.raises(AlertTemporaryError):
        alert_deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING
    assert "ConnectionError" in delivery.last_error


def test_one_delivery_per_change_and_webhook(delivery):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        AlertDelivery.objects.create(status_change=delivery.status_change, url=delivery.url)


def test_stuck_sending_deliveries_are_requeued(delivery):
    # given a worker claimed a delivery and died ten minutes ago
    AlertDelivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.SENDING, claimed_at=timezone.now() - timedelta(minutes=10), attempts=1
    )

    with patch("health.services.alerts.alert_deliver_enqueue") as delay:
        requeued = alert_deliveries_requeue()

    assert requeued == [delivery.pk]
    delay.assert_called_once_with(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING


def test_fresh_and_finished_deliveries_are_left_alone(delivery):
    with patch("health.services.alerts.alert_deliver_enqueue") as delay:
        assert alert_deliveries_requeue() == []  # pending, but just created
        AlertDelivery.objects.filter(pk=delivery.pk).update(
            state=DeliveryState.SENT, sent_at=timezone.now()
        )
        assert alert_deliveries_requeue(now=timezone.now() + timedelta(hours=1)) == []
    delay.assert_not_called()


def test_recovery_message_uses_the_green_marker(delivery):
    change = delivery.status_change
    change.from_status, change.to_status, change.reason = "down", "operational", ""

    text = alert_payload(change=change)["text"]

    assert text.startswith("🟢 kraken: Down → Operational")


# --- outbound URL rules at send time (issue 11) -----------------------------------------


@pytest.fixture
def no_post(monkeypatch):
    """Fails the test if the sender would open a connection at all."""

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError(f"a request was sent to {args[0] if args else kwargs}")

    monkeypatch.setattr("health.services.alerts.requests.post", refuse)


def test_the_local_receiver_is_refused_at_send_time_when_private_networks_are_not_allowed(
    delivery, webhook, settings
):
    # given the webhook was saved while allowed (or before the rule), and is not allowed now
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False

    result = alert_deliver(delivery_id=delivery.pk)

    # then nothing reached the (listening) receiver, and the refusal says why, for good
    assert webhook.requests == []
    assert result.state == DeliveryState.FAILED
    assert result.last_error == (
        "refused: 127.0.0.1 is a loopback address; this site only sends requests to public "
        "internet addresses."
    )
    assert alert_deliver(delivery_id=delivery.pk).attempts == 1


@pytest.mark.usefixtures("no_post")
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[::1]:9/hook", "::1 is a loopback address"),
        ("http://192.168.0.10/hook", "192.168.0.10 is a private address"),
        ("http://224.0.0.251/hook", "224.0.0.251 is a multicast address"),
        ("http://0.0.0.0:9/hook", "0.0.0.0 is an unspecified address"),
        ("http://240.0.0.1/hook", "240.0.0.1 is a reserved address"),
        ("http://localhost:9/hook", "localhost resolves to"),
        ("ftp://1.1.1.1/hook", "ftp:// is not allowed"),
    ],
)
def test_internal_targets_are_refused_at_send_time(delivery, settings, url, message):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    AlertDelivery.objects.filter(pk=delivery.pk).update(url=url)

    result = alert_deliver(delivery_id=delivery.pk)

    assert result.state == DeliveryState.FAILED
    assert message in result.last_error


@pytest.mark.usefixtures("no_post")
def test_a_name_that_resolves_elsewhere_since_it_was_saved_is_refused(
    delivery, settings, monkeypatch
):
    # given a webhook host that resolved to a public address when it was saved, and now
    # resolves to the metadata service (DNS changed between save and send)
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False
    answers = {"hooks.example.com": "93.184.215.14"}

    def getaddrinfo(host, port, *args, **kwargs):  # type: ignore[no-untyped-def]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answers[host], port))]

    monkeypatch.setattr("core.outbound.socket.getaddrinfo", getaddrinfo)
    maintainer = delivery.status_change.health_check.connector.maintainer
    maintainer.alert_webhook_url = "https://hooks.example.com/hook"
    maintainer.full_clean()
    AlertDelivery.objects.filter(pk=delivery.pk).update(url=maintainer.alert_webhook_url)
    answers["hooks.example.com"] = "169.254.169.254"

    result = alert_deliver(delivery_id=delivery.pk)

    assert result.state == DeliveryState.FAILED
    assert "hooks.example.com resolves to 169.254.169.254, which is a link-local address" in (
        result.last_error
    )


@pytest.mark.usefixtures("no_post")
def test_a_failed_look_up_is_retried(delivery, settings, monkeypatch):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = False

    def getaddrinfo(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr("core.outbound.socket.getaddrinfo", getaddrinfo)
    AlertDelivery.objects.filter(pk=delivery.pk).update(url="https://hooks.example.com/hook")

    with pytest.raises(AlertTemporaryError, match="could not be resolved"):
        alert_deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING


def test_the_local_receiver_is_used_when_private_networks_are_allowed(delivery, webhook, settings):
    settings.OUTBOUND_ALLOW_PRIVATE_NETWORKS = True

    assert alert_deliver(delivery_id=delivery.pk).state == DeliveryState.SENT
    assert len(webhook.requests) == 1
