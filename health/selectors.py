"""Reads of the health app."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max
from django.utils import timezone

from health.models import WorkerHeartbeat

STALE_AFTER = timedelta(minutes=3)


@dataclass(frozen=True)
class WorkerFreshness:
    last_seen_at: datetime | None
    is_stale: bool


def worker_freshness() -> WorkerFreshness:
    """When a worker last ran a beat-scheduled task; stale after three missed minutes."""
    last_seen = WorkerHeartbeat.objects.aggregate(last=Max("last_seen_at"))["last"]
    stale = last_seen is None or timezone.now() - last_seen > STALE_AFTER
    return WorkerFreshness(last_seen_at=last_seen, is_stale=stale)
