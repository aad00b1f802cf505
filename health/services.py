"""Writes of the health app: sweeps, check runs, status with hysteresis, incidents, alerts,
maintenance, rollups and retention.

Every write that a retry could repeat is idempotent: results have a natural key, due work is
claimed with conditional updates, alert deliveries are claimed before they are sent.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

import requests
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Min, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from connectors_registry.models import Connector
from core.exceptions import ApplicationError
from core.outbound import CODE_UNRESOLVED, HTTP_SCHEMES, outbound_url_check
from health.attribution import failure_attribution, offline_regions
from health.checks import CheckReport, Step, StepReport, Verdict, run_check
from health.connectors.base import ProbeError
from health.models import (
    AlertDelivery,
    Attribution,
    CheckResult,
    CheckSchedule,
    DeliveryState,
    ExchangeStatus,
    HealthCheck,
    HealthStatus,
    Incident,
    IncidentNote,
    MaintenanceWindow,
    Outcome,
    StatusChange,
    UptimeDaily,
    UptimeHourly,
    WorkerHeartbeat,
)
from health.probes import (
    check_is_monitored,
    check_limits,
    check_trading_pair,
    default_probe_id,
    probe_build,
)

logger = logging.getLogger(__name__)

# Results older than this many intervals no longer speak for a region.
RECENT_INTERVALS = 3
MIN_RECENT = timedelta(minutes=3)
STUCK_SENDING = timedelta(minutes=5)
SEVERITY_RANK = {HealthStatus.DEGRADED: 1, HealthStatus.DOWN: 2}
FAILING_STATUSES = (HealthStatus.DEGRADED, HealthStatus.DOWN)


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


# -- one check ---------------------------------------------------------------------------
def check_run(*, check_id: int, scheduled_for: datetime, region: str) -> CheckResult | None:
    """Run one claimed check and record its result once; then re-evaluate the status.

    A redelivered task finds its result already written and does nothing.
    """
    existing = CheckResult.objects.filter(
        health_check_id=check_id, region=region, scheduled_for=scheduled_for
    ).first()
    if existing is not None:
        return existing
    check = HealthCheck.objects.select_related("connector").filter(pk=check_id).first()
    if check is None or not check_is_monitored(check=check):
        return None
    started_at = timezone.now()
    deadline = time.monotonic() + settings.HEALTH_CHECK_DEADLINE_SECONDS
    try:
        probe = probe_build(check=check, deadline=deadline)
    except (ProbeError, KeyError) as exc:
        report = CheckReport(
            Verdict.DOWN,
            [StepReport(Step.SERVER_TIME, False, 0, f"misconfigured: {exc}")],
            Step.SERVER_TIME,
            f"misconfigured: {exc}",
        )
    else:
        report = run_check(
            probe=probe, trading_pair=check_trading_pair(check=check), limits=check_limits()
        )
    result = check_result_record(
        check=check,
        region=region,
        scheduled_for=scheduled_for,
        report=report,
        started_at=started_at,
        finished_at=timezone.now(),
    )
    health_status_evaluate(check_id=check.pk)
    return result


def check_result_record(
    *,
    check: HealthCheck,
    region: str,
    scheduled_for: datetime,
    report: CheckReport,
    started_at: datetime,
    finished_at: datetime,
) -> CheckResult:
    """Write the result; if the same slot was already written (a race), keep the first."""
    outcome = {Verdict.UP: Outcome.UP, Verdict.DEGRADED: Outcome.DEGRADED}.get(
        report.verdict, Outcome.DOWN
    )
    try:
        with transaction.atomic():
            result = CheckResult.objects.create(
                health_check=check,
                region=region,
                scheduled_for=scheduled_for,
                started_at=started_at,
                finished_at=max(finished_at, started_at),
                outcome=outcome,
                failed_step=str(report.failed_step or ""),
                reason=report.reason,
                step_latencies_ms=report.step_latencies_ms,
                steps=[step.as_json() for step in report.steps],
                total_latency_ms=report.total_latency_ms,
                trading_pair=check_trading_pair(check=check),
                fault=str(report.fault or ""),
                exchange_status=_exchange_status(report),
                exchange_notice=(
                    report.exchange_status.message[:200] if report.exchange_status else ""
                ),
            )
    except IntegrityError:
        return CheckResult.objects.get(
            health_check=check, region=region, scheduled_for=scheduled_for
        )
    HealthCheck.objects.filter(pk=check.pk).filter(
        Q(last_result_at__isnull=True) | Q(last_result_at__lte=finished_at)
    ).update(
        last_result_at=finished_at,
        last_latency_ms=report.total_latency_ms,
        last_step_latencies_ms=report.step_latencies_ms,
        last_reason=report.reason,
    )
    return result


def _exchange_status(report: CheckReport) -> str:
    if report.exchange_status is None:
        return ""
    return ExchangeStatus.NORMAL if report.exchange_status.normal else ExchangeStatus.IMPAIRED


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


def incidents_review(*, now: datetime | None = None) -> list[int]:
    """Keep open incidents' attribution current, and prepare a draft bug bounty for each
    connector regression open longer than ``HEALTH_DRAFT_BOUNTY_AFTER_HOURS`` (one per
    incident; staff fund it). Returns the ids of the bounties drafted."""
    from bounties.services.bounties import bounty_draft_from_failure

    now = now or timezone.now()
    drafted = []
    limit = timedelta(hours=settings.HEALTH_DRAFT_BOUNTY_AFTER_HOURS)
    incidents = Incident.objects.filter(resolved_at__isnull=True).select_related(
        "health_check__connector__exchange"
    )
    for incident in incidents:
        check = incident.health_check
        failing = status_observe(check=check, now=now).failing
        if failing:
            verdict = failure_attribution(check=check, failing=failing, now=now)
            if (verdict.attribution, verdict.reason[:300]) != (
                incident.attribution,
                incident.attribution_reason,
            ):
                incident.attribution = verdict.attribution
                incident.attribution_reason = verdict.reason[:300]
                incident.save(update_fields=["attribution", "attribution_reason"])
        if incident.attribution != Attribution.CONNECTOR or incident.opened_at > now - limit:
            continue
        bounty = bounty_draft_from_failure(
            origin_key=f"health.incident:{incident.pk}",
            origin_url=incident.get_absolute_url(),
            connector=check.connector,
            title=f"Fix {check.connector.address}: {incident.title.split(' is ')[-1]} since "
            f"{incident.opened_at:%Y-%m-%d %H:%M} UTC",
            description=_draft_description(incident, failing),
        )
        if bounty is not None:
            drafted.append(bounty.pk)
    return drafted


def _draft_description(incident: Incident, failing: tuple[CheckResult, ...]) -> str:
    result = failing[0] if failing else _newest_failure(incident)
    step = result.get_failed_step_display() if result and result.failed_step else "unknown"
    reason = result.reason if result else incident.cause
    return (
        f"{incident.health_check.connector.address} has been failing since "
        f"{incident.opened_at:%Y-%m-%d %H:%M} UTC, and the exchange answers: a regression of "
        f"the connector.\n\n"
        f"Failing step: {step}\n"
        f"Reason: {reason}\n"
        f"Why it is the connector: {incident.attribution_reason}\n"
        f"Incident: {incident.get_absolute_url()}\n\n"
        "Drafted automatically; staff review the amount and fund it to open it."
    )


def _newest_failure(incident: Incident) -> CheckResult | None:
    return (
        CheckResult.objects.filter(health_check_id=incident.health_check_id)
        .exclude(outcome=Outcome.UP)
        .order_by("-finished_at")
        .first()
    )


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


# -- incidents and maintenance (staff) ---------------------------------------------------
@transaction.atomic
def incident_annotate(*, incident: Incident, author: User | None, body: str) -> IncidentNote:
    body = body.strip()
    if not body:
        raise ApplicationError("A note needs some text.")
    return IncidentNote.objects.create(incident=incident, author=author, body=body)


@transaction.atomic
def maintenance_schedule(
    *,
    check: HealthCheck,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    created_by: User | None,
) -> MaintenanceWindow:
    window = MaintenanceWindow(
        health_check=check,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        created_by=created_by,
    )
    try:
        window.full_clean()
    except ValidationError as exc:
        raise ApplicationError("; ".join(exc.messages)) from exc
    if ends_at <= starts_at:
        raise ApplicationError("Maintenance must end after it starts.")
    window.save()
    if starts_at <= timezone.now() < ends_at:
        transaction.on_commit(lambda: health_status_evaluate(check_id=check.pk))
    return window


# -- alerts ------------------------------------------------------------------------------
class AlertTemporaryError(Exception):
    """The webhook did not take the alert this time (network, 429, 5xx): retry later."""


def alert_urls(*, check: HealthCheck) -> list[str]:
    maintainer = check.connector.maintainer
    urls = [maintainer.alert_webhook_url] if maintainer and maintainer.alert_webhook_url else []
    return list(dict.fromkeys(urls))


def alerts_enqueue(*, change: StatusChange) -> list[AlertDelivery]:
    """One delivery row per webhook (the outbox), sent by a task after the commit."""
    from health.tasks import alert_deliver_enqueue

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
    from health.tasks import alert_deliver_enqueue

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


# -- history: rollups and retention ------------------------------------------------------
def _hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass
class _Tally:
    slots: int = 0
    up: int = 0
    degraded: int = 0
    down: int = 0
    latency_sum_ms: int = 0
    latency_count: int = 0
    latency_max_ms: int = 0


def _slot_outcome(outcomes: Iterable[str]) -> str:
    """The same agreement rule as the live status, per scheduled slot."""
    seen = list(outcomes)
    if all(outcome == Outcome.DOWN for outcome in seen):
        return Outcome.DOWN
    if any(outcome != Outcome.UP for outcome in seen):
        return Outcome.DEGRADED
    return Outcome.UP


def uptime_rollup(*, since: datetime, until: datetime | None = None) -> int:
    """Recompute the hourly rows of every hour in [since, until) from raw results, then the
    daily rows of the days they touch. Idempotent: run it as often as you like."""
    until = until or timezone.now()
    start, end = _hour(since), _hour(until) + timedelta(hours=1)
    slots: dict[tuple[int, datetime], dict[datetime, list[str]]] = defaultdict(
        lambda: defaultdict(list)
    )
    latencies: dict[tuple[int, datetime], list[int]] = defaultdict(list)
    rows = CheckResult.objects.filter(scheduled_for__gte=start, scheduled_for__lt=end).values_list(
        "health_check_id", "scheduled_for", "outcome", "total_latency_ms"
    )
    for check_id, scheduled_for, outcome, latency in rows.iterator(chunk_size=5000):
        key = (check_id, _hour(scheduled_for))
        slots[key][scheduled_for].append(outcome)
        if outcome != Outcome.DOWN:
            latencies[key].append(latency)
    hourly = []
    for (check_id, hour), by_slot in slots.items():
        tally = _Tally()
        for outcomes in by_slot.values():
            tally.slots += 1
            verdict = _slot_outcome(outcomes)
            setattr(tally, verdict, getattr(tally, verdict) + 1)
        measured = latencies[(check_id, hour)]
        hourly.append(
            UptimeHourly(
                health_check_id=check_id,
                hour=hour,
                slots=tally.slots,
                up=tally.up,
                degraded=tally.degraded,
                down=tally.down,
                latency_sum_ms=sum(measured),
                latency_count=len(measured),
                latency_max_ms=max(measured, default=0),
            )
        )
    fields = [
        "slots",
        "up",
        "degraded",
        "down",
        "latency_sum_ms",
        "latency_count",
        "latency_max_ms",
    ]
    with transaction.atomic():
        UptimeHourly.objects.bulk_create(
            hourly,
            update_conflicts=True,
            unique_fields=["health_check", "hour"],
            update_fields=fields,
        )
        days = {hour.date() for _, hour in slots}
        _daily_rollup(days=days)
    return len(hourly)


def _daily_rollup(*, days: set[date]) -> None:
    if not days:
        return
    first, last = min(days), max(days)
    start = datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = datetime(last.year, last.month, last.day, tzinfo=UTC) + timedelta(days=1)
    sums = (
        UptimeHourly.objects.filter(hour__gte=start, hour__lt=end)
        .annotate(day=TruncDate("hour", tzinfo=UTC))
        .values("health_check_id", "day")
        .annotate(
            s_slots=Sum("slots"),
            s_up=Sum("up"),
            s_degraded=Sum("degraded"),
            s_down=Sum("down"),
            s_latency_sum=Sum("latency_sum_ms"),
            s_latency_count=Sum("latency_count"),
            s_latency_max=Max("latency_max_ms"),
        )
    )
    daily = [
        UptimeDaily(
            health_check_id=row["health_check_id"],
            day=row["day"],
            slots=row["s_slots"],
            up=row["s_up"],
            degraded=row["s_degraded"],
            down=row["s_down"],
            latency_sum_ms=row["s_latency_sum"],
            latency_count=row["s_latency_count"],
            latency_max_ms=row["s_latency_max"],
        )
        for row in sums
        if row["day"] in days
    ]
    UptimeDaily.objects.bulk_create(
        daily,
        update_conflicts=True,
        unique_fields=["health_check", "day"],
        update_fields=[
            "slots",
            "up",
            "degraded",
            "down",
            "latency_sum_ms",
            "latency_count",
            "latency_max_ms",
        ],
    )


def health_history_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Raw results older than HEALTH_RESULT_RETENTION_DAYS go, after their hours are rolled
    up; hourly rows older than HEALTH_HOURLY_RETENTION_DAYS go; daily rows stay."""
    now = now or timezone.now()
    cutoff = _hour(now - timedelta(days=settings.HEALTH_RESULT_RETENTION_DAYS))
    oldest = CheckResult.objects.filter(scheduled_for__lt=cutoff).aggregate(
        first=Min("scheduled_for")
    )
    if oldest["first"] is not None:
        uptime_rollup(since=oldest["first"], until=cutoff - timedelta(microseconds=1))
    results, _ = CheckResult.objects.filter(scheduled_for__lt=cutoff).delete()
    hourly_cutoff = _hour(now - timedelta(days=settings.HEALTH_HOURLY_RETENTION_DAYS))
    hourly, _ = UptimeHourly.objects.filter(hour__lt=hourly_cutoff).delete()
    return {"results": results, "hourly": hourly}
