"""Which checks are due: health checks kept in step with the registry, schedules per
region, the sweep that claims due slots, and lost claims sent again."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from connectors_registry.models import Connector
from health.models import (
    CheckResult,
    CheckSchedule,
    HealthCheck,
)
from health.probes import (
    check_is_monitored,
    default_probe_id,
)
from health.services.status import health_status_expire

logger = logging.getLogger(__name__)


# -- setup -------------------------------------------------------------------------------
def health_checks_sync() -> int:
    """A HealthCheck row for every connector that has none yet (new catalogue rows)."""
    missing = Connector.objects.filter(health_check__isnull=True)
    rows = [
        HealthCheck(
            connector=connector,
            probe_id=default_probe_id(connector=connector),
            interval_seconds=settings.HEALTH_DEFAULT_INTERVAL_SECONDS,
        )
        for connector in missing
    ]
    HealthCheck.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def check_schedule_refresh(*, check: HealthCheck, now: datetime | None = None) -> int:
    """After staff shorten an interval, a check planned further out than one new interval
    is due at once (longer intervals take effect at the next claim by themselves)."""
    now = now or timezone.now()
    return CheckSchedule.objects.filter(
        health_check=check, next_check_at__gt=now + timedelta(seconds=check.interval_seconds)
    ).update(next_check_at=now)


# -- the sweep ---------------------------------------------------------------------------
def slot_start(*, now: datetime, interval_seconds: int) -> datetime:
    """Slots are aligned to the epoch, so every region names the same slot the same way."""
    epoch = int(now.timestamp())
    return datetime.fromtimestamp(epoch - epoch % interval_seconds, tz=UTC)


def slot_offset(*, check_id: int, interval_seconds: int) -> timedelta:
    """Where in its slot a check runs: spread evenly by id, the same in every region, so
    checks do not all start at the top of the minute."""
    return timedelta(seconds=(check_id * 2654435761) % interval_seconds)


@dataclass(frozen=True)
class Claim:
    check_id: int
    scheduled_for: datetime


def health_sweep(
    *,
    region: str,
    enqueue: Callable[[Claim], None],
    now: datetime | None = None,
) -> list[Claim]:
    """Claim every check due in ``region`` and hand each to ``enqueue`` (one task each).

    ``next_check_at`` moves to the next slot *before* the check runs (a crashing check
    cannot loop), and only the sweep whose conditional update wins enqueues it. Within its
    slot each check runs at its own offset, so a region's checks are spread out.
    """
    now = now or timezone.now()
    health_checks_sync()
    monitored = [
        c for c in HealthCheck.objects.select_related("connector") if check_is_monitored(check=c)
    ]
    monitored_ids = {c.pk for c in monitored}
    CheckSchedule.objects.bulk_create(
        [CheckSchedule(health_check=c, region=region, next_check_at=now) for c in monitored],
        ignore_conflicts=True,
    )
    intervals = {c.pk: c.interval_seconds for c in monitored}
    claims = lost_claims_redispatch(region=region, intervals=intervals, enqueue=enqueue, now=now)
    due = CheckSchedule.objects.filter(region=region, next_check_at__lte=now).only(
        "pk", "health_check_id", "next_check_at"
    )
    for schedule in due:
        if schedule.health_check_id not in monitored_ids:
            continue
        interval = intervals[schedule.health_check_id]
        slot = slot_start(now=now, interval_seconds=interval)
        offset = slot_offset(check_id=schedule.health_check_id, interval_seconds=interval)
        won = CheckSchedule.objects.filter(
            pk=schedule.pk, next_check_at=schedule.next_check_at
        ).update(next_check_at=slot + timedelta(seconds=interval) + offset, last_claimed_at=now)
        if won:
            claim = Claim(check_id=schedule.health_check_id, scheduled_for=slot)
            enqueue(claim)
            claims.append(claim)
    health_status_expire(now=now)
    return claims


def claim_grace() -> timedelta:
    """How long a claimed slot may go without a result before it counts as lost: the
    check's own deadline plus one sweep interval."""
    return timedelta(
        seconds=float(settings.HEALTH_CHECK_DEADLINE_SECONDS) + float(settings.HEALTH_SWEEP_SECONDS)
    )


def lost_claims_redispatch(
    *, region: str, intervals: dict[int, int], enqueue: Callable[[Claim], None], now: datetime
) -> list[Claim]:
    """Enqueue again each slot claimed longer than ``claim_grace`` ago that has no result
    (its worker died: a ``kill -9`` leaves the task unacknowledged until the broker's
    visibility timeout, long after it expired).

    A schedule's claimed slot is ``next_check_at - interval - offset``; while that slot is
    the current one (``next_check_at`` is ahead), a conditional update of
    ``last_claimed_at`` lets exactly one sweep re-claim it. Results are unique per (check,
    region, slot), so a late original cannot add a second result.
    """
    stale = CheckSchedule.objects.filter(
        region=region,
        health_check_id__in=intervals,
        last_claimed_at__lte=now - claim_grace(),
        next_check_at__gt=now,
    ).only("pk", "health_check_id", "next_check_at", "last_claimed_at")
    candidates = []
    for schedule in stale:
        interval = intervals[schedule.health_check_id]
        offset = slot_offset(check_id=schedule.health_check_id, interval_seconds=interval)
        slot = schedule.next_check_at - timedelta(seconds=interval) - offset
        if slot != slot_start(now=slot, interval_seconds=interval):
            continue  # rescheduled by staff (check_schedule_refresh): not a claimed slot
        candidates.append((schedule, slot))
    if not candidates:
        return []
    recorded = set(
        CheckResult.objects.filter(
            region=region,
            health_check_id__in=[s.health_check_id for s, _ in candidates],
            scheduled_for__in=[slot for _, slot in candidates],
        ).values_list("health_check_id", "scheduled_for")
    )
    claims = []
    for schedule, slot in candidates:
        if (schedule.health_check_id, slot) in recorded:
            continue
        won = CheckSchedule.objects.filter(
            pk=schedule.pk,
            last_claimed_at=schedule.last_claimed_at,
            next_check_at=schedule.next_check_at,
        ).update(last_claimed_at=now)
        if won:
            logger.warning(
                "health check %s slot %s had no result %s after its claim; enqueued again",
                schedule.health_check_id,
                slot.isoformat(),
                claim_grace(),
            )
            claim = Claim(check_id=schedule.health_check_id, scheduled_for=slot)
            enqueue(claim)
            claims.append(claim)
    return claims
