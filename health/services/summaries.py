"""Uptime summaries: the status page's row per connector, rewritten by the rollups."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from health.models import HealthCheck, UptimeSummary
from health.selectors import uptime_summaries_compute

# checks whose summaries are computed and written together (two reads, one upsert)
SUMMARY_CHUNK = 200
# every column but the key is rewritten
SUMMARY_FIELDS = [f.name for f in UptimeSummary._meta.concrete_fields if not f.primary_key]


def uptime_summaries_refresh(*, check_ids: Iterable[int], now: datetime | None = None) -> int:
    """Rewrite the summaries of the given checks from their rollups. Chunked: memory and
    each transaction stay bounded whatever the number of checks."""
    now = now or timezone.now()
    ordered = sorted(set(check_ids))
    for first in range(0, len(ordered), SUMMARY_CHUNK):
        chunk = list(  # a check deleted meanwhile has nothing to summarise
            HealthCheck.objects.filter(pk__in=ordered[first : first + SUMMARY_CHUNK])
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        summaries = uptime_summaries_compute(check_ids=chunk, now=now)
        with transaction.atomic():
            UptimeSummary.objects.bulk_create(
                summaries.values(),
                update_conflicts=True,
                unique_fields=["health_check"],
                update_fields=SUMMARY_FIELDS,
            )
    return len(ordered)


def uptime_summaries_refresh_outdated(*, now: datetime | None = None) -> int:
    """Summaries missing, or ending on another day than today (every bar moves by a day at
    midnight UTC), rewritten."""
    now = now or timezone.now()
    outdated = (
        HealthCheck.objects.filter(
            Q(summary__isnull=True) | ~Q(summary__as_of=now.astimezone(UTC).date())
        )
        .order_by()
        .values_list("pk", flat=True)
    )
    return uptime_summaries_refresh(check_ids=list(outdated), now=now)
