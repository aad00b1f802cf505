"""Worker heartbeats: each worker says it is alive; old heartbeats are purged."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from health.models import (
    WorkerHeartbeat,
)

logger = logging.getLogger(__name__)


# -- heartbeats --------------------------------------------------------------------------
@transaction.atomic
def heartbeat_record(*, hostname: str, region: str) -> WorkerHeartbeat:
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(hostname=hostname).update(
        region=region, last_seen_at=now, beats=F("beats") + 1
    )
    if not updated:
        WorkerHeartbeat.objects.get_or_create(
            hostname=hostname, defaults={"region": region, "last_seen_at": now, "beats": 1}
        )
    return WorkerHeartbeat.objects.get(hostname=hostname)


def heartbeat_purge(*, older_than: timedelta) -> int:
    deleted, _ = WorkerHeartbeat.objects.filter(
        last_seen_at__lt=timezone.now() - older_than
    ).delete()
    return deleted
