"""A connector's status from its latest results, with hysteresis and multi-region
agreement; incidents opened and resolved with it; monitoring offline and maintenance."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from health.attribution import failure_attribution, offline_regions
from health.models import (
    Attribution,
    CheckResult,
    HealthCheck,
    HealthStatus,
    Incident,
    MaintenanceWindow,
    Outcome,
    StatusChange,
)
from health.probes import (
    check_is_monitored,
)
from health.services.alerts import alerts_enqueue

logger = logging.getLogger(__name__)

# Results older than this many intervals no longer speak for a region.
RECENT_INTERVALS = 3
MIN_RECENT = timedelta(minutes=3)
SEVERITY_RANK = {HealthStatus.DEGRADED: 1, HealthStatus.DOWN: 2}
FAILING_STATUSES = (HealthStatus.DEGRADED, HealthStatus.DOWN)


# -- status ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Observation:
    status: str
    reason: str
    slot: datetime | None = None  # the newest slot the evidence comes from
    failing: tuple[CheckResult, ...] = ()  # the newest failing result of each region


def recent_window(*, check: HealthCheck) -> timedelta:
    return max(timedelta(seconds=check.interval_seconds * RECENT_INTERVALS), MIN_RECENT)


def status_observe(*, check: HealthCheck, now: datetime) -> Observation:
    """What the regions say now. Down only when every region that reported recently says
    down; degraded when some do (or a region is slow); unknown when none reported."""
    since = now - recent_window(check=check)
    latest: dict[str, CheckResult] = {}
    for result in CheckResult.objects.filter(health_check=check, finished_at__gte=since).order_by(
        "-finished_at"
    ):
        latest.setdefault(result.region, result)
    if not latest:
        return Observation(HealthStatus.UNKNOWN, "no recent check results")
    outcomes = {region: r.outcome for region, r in latest.items()}
    failing = {region: r for region, r in latest.items() if r.outcome != Outcome.UP}
    slot = max(r.scheduled_for for r in latest.values())
    evidence = tuple(failing.values())
    if all(outcome == Outcome.DOWN for outcome in outcomes.values()):
        return Observation(HealthStatus.DOWN, _describe(failing, len(latest)), slot, evidence)
    if failing:
        return Observation(HealthStatus.DEGRADED, _describe(failing, len(latest)), slot, evidence)
    return Observation(HealthStatus.OPERATIONAL, "", slot)


def _describe(failing: dict[str, CheckResult], regions: int) -> str:
    parts = [
        f"{r.get_failed_step_display()}: {r.reason}" if r.failed_step else r.reason
        for r in failing.values()
    ]
    if regions == 1:
        return parts[0]
    names = ", ".join(sorted(failing))
    return f"{len(failing)} of {regions} regions ({names}): {parts[0]}"


def maintenance_active(*, check: HealthCheck, now: datetime) -> MaintenanceWindow | None:
    return (
        MaintenanceWindow.objects.filter(health_check=check, starts_at__lte=now, ends_at__gt=now)
        .order_by("ends_at")
        .first()
    )


def _threshold(*, current: str, observed: str) -> int:
    if observed == HealthStatus.UNKNOWN:
        return 1
    if observed == HealthStatus.OPERATIONAL:
        if current in (HealthStatus.UNKNOWN, HealthStatus.MAINTENANCE):
            return 1  # nothing was known; the first good word is enough
        recovery: int = settings.HEALTH_RECOVERY_THRESHOLD
        return max(1, recovery)
    failure: int = settings.HEALTH_FAILURE_THRESHOLD
    return max(1, failure)


@transaction.atomic
def health_status_evaluate(*, check_id: int, now: datetime | None = None) -> StatusChange | None:
    """Turn the latest results into the connector's status, with hysteresis.

    Runs under a row lock, so results landing at once from several regions are judged one
    after the other and a change is recorded exactly once.
    """
    now = now or timezone.now()
    check = (
        HealthCheck.objects.select_for_update(of=("self",))
        .select_related("connector__maintainer")
        .get(pk=check_id)
    )
    window = maintenance_active(check=check, now=now)
    if window is not None:
        observation = Observation(
            HealthStatus.MAINTENANCE, f"scheduled maintenance: {window.reason}"
        )
        threshold = 1
    elif not check_is_monitored(check=check):
        observation = Observation(HealthStatus.UNKNOWN, "not monitored")
        threshold = 1
    else:
        observation = _unless_monitoring_offline(status_observe(check=check, now=now), now=now)
        threshold = _threshold(current=check.status, observed=observation.status)
    candidate_fields = ["candidate_status", "candidate_count", "candidate_slot", "updated_at"]
    if observation.status == check.status:
        if check.candidate_status or check.candidate_count:
            check.candidate_status, check.candidate_count, check.candidate_slot = "", 0, None
            check.save(update_fields=candidate_fields)
        return None
    if check.candidate_status != observation.status:
        check.candidate_status, check.candidate_count = observation.status, 1
    elif (
        observation.slot is None
        or check.candidate_slot is None
        or (observation.slot > check.candidate_slot)
    ):
        check.candidate_count += 1  # each slot counts once, however many regions report it
    check.candidate_slot = observation.slot
    if check.candidate_count < threshold:
        check.save(update_fields=candidate_fields)
        return None
    return _status_change(
        check=check,
        to_status=observation.status,
        reason=observation.reason,
        now=now,
        failing=observation.failing,
    )


def _unless_monitoring_offline(observation: Observation, *, now: datetime) -> Observation:
    """A failure seen only from regions whose monitoring is offline says nothing about the
    exchange or the connector: the status becomes unknown (no incident, no alert)."""
    if observation.status not in FAILING_STATUSES or not observation.failing:
        return observation
    verdicts = offline_regions(regions=(r.region for r in observation.failing), now=now)
    if len(verdicts) < len({r.region for r in observation.failing}):
        return observation
    return Observation(HealthStatus.UNKNOWN, verdicts[0].reason, observation.slot)


def _status_change(
    *,
    check: HealthCheck,
    to_status: str,
    reason: str,
    now: datetime,
    failing: tuple[CheckResult, ...] = (),
) -> StatusChange:
    from_status = check.status
    check.status = to_status
    check.status_changed_at = now
    check.candidate_status, check.candidate_count, check.candidate_slot = "", 0, None
    check.save(
        update_fields=[
            "status",
            "status_changed_at",
            "candidate_status",
            "candidate_count",
            "candidate_slot",
            "updated_at",
        ]
    )
    change = StatusChange.objects.create(
        health_check=check,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        created_at=now,
    )
    incident = _incident_follow(check=check, change=change, failing=failing)
    if _alert_worthy(change, incident=incident):
        alerts_enqueue(change=change)
    return change


def _incident_follow(
    *, check: HealthCheck, change: StatusChange, failing: tuple[CheckResult, ...]
) -> Incident | None:
    """Open, worsen or resolve the check's incident; the incident it concerns, if any."""
    if change.to_status in FAILING_STATUSES:
        verdict = failure_attribution(check=check, failing=failing, now=change.created_at)
        incident = Incident.objects.filter(health_check=check, resolved_at__isnull=True).first()
        if incident is None:
            return Incident.objects.create(
                health_check=check,
                title=f"{check.connector.address} is {change.get_to_status_display().lower()}",
                severity=change.to_status,
                cause=change.reason,
                opened_at=change.created_at,
                attribution=verdict.attribution,
                attribution_reason=verdict.reason[:300],
            )
        incident.attribution, incident.attribution_reason = (
            verdict.attribution,
            verdict.reason[:300],
        )
        incident.save(update_fields=["attribution", "attribution_reason"])
        if (
            SEVERITY_RANK[HealthStatus(change.to_status)]
            > SEVERITY_RANK[HealthStatus(incident.severity)]
        ):
            incident.severity = change.to_status
            incident.title = (
                f"{check.connector.address} is {change.get_to_status_display().lower()}"
            )
            incident.save(update_fields=["severity", "title"])
        return incident
    if change.to_status == HealthStatus.OPERATIONAL:
        incident = Incident.objects.filter(health_check=check, resolved_at__isnull=True).first()
        if incident is not None:
            incident.resolved_at = change.created_at
            incident.save(update_fields=["resolved_at"])
        return incident
    return None


def _alert_worthy(change: StatusChange, *, incident: Incident | None = None) -> bool:
    """Alert the maintainer when their connector breaks by a regression of its own, and
    when it recovers from one; never for an exchange's outage, for maintenance, or for
    'unknown' (our own workers being late, or our monitoring offline, is not their news)."""
    if not settings.HEALTH_ALERTS_ENABLED:
        return False
    if incident is not None and incident.attribution == Attribution.EXCHANGE:
        return False
    if change.to_status in FAILING_STATUSES:
        return True
    return change.to_status == HealthStatus.OPERATIONAL and change.from_status in FAILING_STATUSES


def health_status_expire(*, now: datetime | None = None) -> int:
    """Checks whose results stopped coming (workers down, check disabled) become unknown;
    maintenance windows that start or end move the status even between results."""
    now = now or timezone.now()
    changed = 0
    ids = set(
        MaintenanceWindow.objects.filter(starts_at__lte=now, ends_at__gt=now)
        .exclude(health_check__status=HealthStatus.MAINTENANCE)
        .values_list("health_check_id", flat=True)
    )
    watched = HealthCheck.objects.exclude(status=HealthStatus.UNKNOWN).select_related("connector")
    for check in watched:
        silent = check.last_result_at is None or (
            check.last_result_at < now - recent_window(check=check)
        )
        if (
            silent
            or check.status == HealthStatus.MAINTENANCE
            or not check_is_monitored(check=check)
        ):
            ids.add(check.pk)
    for check_id in sorted(ids):
        if health_status_evaluate(check_id=check_id, now=now) is not None:
            changed += 1
    return changed
