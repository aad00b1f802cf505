"""Alerts to maintainers' webhooks: an outbox of deliveries, claimed before sending,
retried with backoff."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.outbound import CODE_UNRESOLVED, HTTP_SCHEMES, outbound_url_check
from health.errors import AlertTemporaryError
from health.models import (
    AlertDelivery,
    DeliveryState,
    HealthCheck,
    HealthStatus,
    StatusChange,
)
from health.tasks import alert_deliver_enqueue

logger = logging.getLogger(__name__)

STUCK_SENDING = timedelta(minutes=5)


# -- alerts ------------------------------------------------------------------------------
def alert_urls(*, check: HealthCheck) -> list[str]:
    maintainer = check.connector.maintainer
    urls = [maintainer.alert_webhook_url] if maintainer and maintainer.alert_webhook_url else []
    return list(dict.fromkeys(urls))


def alerts_enqueue(*, change: StatusChange) -> list[AlertDelivery]:
    """One delivery row per webhook (the outbox), sent by a task after the commit."""
    deliveries = []
    for url in alert_urls(check=change.health_check):
        delivery, created = AlertDelivery.objects.get_or_create(status_change=change, url=url)
        if created:
            transaction.on_commit(partial(alert_deliver_enqueue, delivery.pk))
            deliveries.append(delivery)
    return deliveries


STATUS_EMOJI = {
    HealthStatus.OPERATIONAL: "🟢",
    HealthStatus.DEGRADED: "🟠",
    HealthStatus.DOWN: "🔴",
    HealthStatus.UNKNOWN: "⚪",
    HealthStatus.MAINTENANCE: "🔧",
}


def alert_payload(*, change: StatusChange) -> dict[str, Any]:
    """Discord reads ``content``, Slack reads ``text``: one body serves both."""
    check = change.health_check
    address = check.connector.address
    to_label = change.get_to_status_display()
    lines = [
        f"{STATUS_EMOJI.get(HealthStatus(change.to_status), '')} {address}: "
        f"{change.get_from_status_display()} → {to_label}".strip()
    ]
    if change.reason:
        lines.append(change.reason)
    if settings.HEALTH_PUBLIC_URL:
        lines.append(settings.HEALTH_PUBLIC_URL.rstrip("/") + check.connector.get_absolute_url())
    text = "\n".join(lines)[:1900]  # Discord caps content at 2000 characters
    return {"content": text, "text": text}


def alert_deliver(*, delivery_id: int) -> AlertDelivery:
    """Post one alert. Claimed first (pending → sending), so only one attempt is ever in
    flight; a sent alert is never posted again."""
    now = timezone.now()
    claimed = AlertDelivery.objects.filter(pk=delivery_id, state=DeliveryState.PENDING).update(
        state=DeliveryState.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    delivery = AlertDelivery.objects.select_related("status_change__health_check__connector").get(
        pk=delivery_id
    )
    if not claimed:
        return delivery
    try:  # the address the URL resolves to now, not only when it was saved
        outbound_url_check(delivery.url, schemes=HTTP_SCHEMES)
    except ValidationError as exc:
        refusal = f"refused: {' '.join(exc.messages)}"
        # a failed look-up may be the resolver's; every other refusal is final
        permanent = exc.code != CODE_UNRESOLVED
        return _delivery_failed(delivery, error=refusal, status=None, permanent=permanent)
    payload = alert_payload(change=delivery.status_change)
    try:
        response = requests.post(
            delivery.url,
            json=payload,
            timeout=settings.HEALTH_ALERT_TIMEOUT,
            allow_redirects=False,
            headers={"User-Agent": "ConnectorHub-Alerts/1.0"},
        )
    except requests.RequestException as exc:
        return _delivery_failed(delivery, error=f"{type(exc).__name__}: {exc}", status=None)
    if 200 <= response.status_code < 300:
        AlertDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING).update(
            state=DeliveryState.SENT,
            sent_at=timezone.now(),
            response_status=response.status_code,
            last_error="",
        )
        delivery.refresh_from_db()
        return delivery
    error = f"HTTP {response.status_code}: {response.text[:200]}"
    if response.status_code == 429 or response.status_code >= 500:
        return _delivery_failed(delivery, error=error, status=response.status_code)
    return _delivery_failed(delivery, error=error, status=response.status_code, permanent=True)


def _delivery_failed(
    delivery: AlertDelivery, *, error: str, status: int | None, permanent: bool = False
) -> AlertDelivery:
    exhausted = delivery.attempts > settings.HEALTH_ALERT_MAX_RETRIES
    final = permanent or exhausted
    AlertDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING).update(
        state=DeliveryState.FAILED if final else DeliveryState.PENDING,
        last_error=error,
        response_status=status,
    )
    delivery.refresh_from_db()
    if not final:
        raise AlertTemporaryError(error)
    logger.warning("alert %s to %s given up: %s", delivery.pk, delivery.url, error)
    return delivery


def alert_deliveries_requeue(*, now: datetime | None = None) -> list[int]:
    """Deliveries stuck in 'sending' (a worker died mid-post) go back to pending; pending
    ones whose task was lost are sent again. At-least-once only in that crash case."""
    now = now or timezone.now()
    AlertDelivery.objects.filter(
        state=DeliveryState.SENDING, claimed_at__lt=now - STUCK_SENDING
    ).update(state=DeliveryState.PENDING)
    stale = AlertDelivery.objects.filter(state=DeliveryState.PENDING).filter(
        Q(claimed_at__lt=now - STUCK_SENDING)
        | Q(claimed_at__isnull=True, created_at__lt=now - STUCK_SENDING)
    )
    ids = list(stale.values_list("pk", flat=True))
    for delivery_id in ids:
        alert_deliver_enqueue(delivery_id)
    return ids
