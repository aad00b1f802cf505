"""Whose fault is a failure: our monitoring, the exchange, or the connector.

Three cases, told apart from what the checks saw (each failed step records a ``Fault``:
no answer at all, an outage answer from the exchange, or an answer the connector could not
use) and from the exchange's own status endpoint where it has one:

(a) **Monitoring offline.** In a region, the newest result of every check that reported is a
    network failure, across at least ``HEALTH_OFFLINE_MIN_EXCHANGES`` exchanges: DNS or the
    route is gone on our side. No incident opens, nobody is paged; the status page says so.
(b) **Exchange outage.** The exchange's status endpoint reports maintenance; or the exchange
    answered with an outage (5xx, 429/418, an error page); or it alone cannot be reached
    while others answer; or every monitored connector of the exchange is failing. (Staff's
    maintenance windows never get this far: the status is "maintenance".)
(c) **Connector regression.** The exchange answers and our connector cannot use the answer
    (a moved path, a changed payload, a missing capability). Only these draft a bounty and
    alert the maintainer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache

from health.models import (
    Attribution,
    CheckResult,
    ExchangeStatus,
    Fault,
    HealthCheck,
    HealthStatus,
    Outcome,
)

FAILING = (HealthStatus.DEGRADED, HealthStatus.DOWN)


@dataclass(frozen=True)
class OfflineVerdict:
    region: str
    since: datetime
    checks: int
    exchanges: int

    @property
    def reason(self) -> str:
        return (
            f"monitoring offline in {self.region}: all {self.checks} checks failed to reach "
            f"their exchanges ({self.exchanges} exchanges), "
            f"first at {self.since:%Y-%m-%d %H:%M} UTC"
        )


@dataclass(frozen=True)
class Verdict:
    attribution: Attribution
    reason: str


def monitoring_offline(*, region: str, now: datetime) -> OfflineVerdict | None:
    """Whether our own probes in ``region`` cannot reach anything (case a). Judged on the
    newest result of each check within ``HEALTH_OFFLINE_WINDOW_SECONDS``; kept in the cache
    for ``HEALTH_OFFLINE_CACHE_SECONDS`` so a sweep of many results asks the database once."""
    seconds = settings.HEALTH_OFFLINE_CACHE_SECONDS
    key = f"health:offline:{region}"
    if seconds > 0:
        cached = cache.get(key)
        if cached is not None:
            return cached or None  # False: known online
    verdict = _monitoring_offline(region=region, now=now)
    if seconds > 0:
        cache.set(key, verdict or False, seconds)
    return verdict


def _monitoring_offline(*, region: str, now: datetime) -> OfflineVerdict | None:
    since = now - timedelta(seconds=settings.HEALTH_OFFLINE_WINDOW_SECONDS)
    rows = (
        CheckResult.objects.filter(region=region, finished_at__gte=since, finished_at__lte=now)
        .order_by("-finished_at")
        .values_list(
            "health_check_id", "fault", "finished_at", "health_check__connector__exchange_id"
        )
    )
    newest: dict[int, tuple[str, datetime, int | None]] = {}
    for check_id, fault, finished_at, exchange_id in rows.iterator():
        if check_id not in newest:
            newest[check_id] = (fault, finished_at, exchange_id)
            if fault != Fault.NETWORK:
                return None  # something answered: our side is up
    exchanges = {exchange for _, _, exchange in newest.values()}
    if not newest or len(exchanges) < settings.HEALTH_OFFLINE_MIN_EXCHANGES:
        return None
    return OfflineVerdict(
        region=region,
        since=min(finished for _, finished, _ in newest.values()),
        checks=len(newest),
        exchanges=len(exchanges),
    )


def offline_regions(*, regions: Iterable[str], now: datetime) -> list[OfflineVerdict]:
    verdicts = (monitoring_offline(region=region, now=now) for region in sorted(set(regions)))
    return [verdict for verdict in verdicts if verdict is not None]


def failure_attribution(
    *, check: HealthCheck, failing: Iterable[CheckResult], now: datetime
) -> Verdict:
    """Exchange outage or connector regression (cases b and c) for a failing check, from
    its newest failing results (one per region)."""
    failing = list(failing)
    exchange = check.connector.exchange
    name = exchange.name if exchange is not None else check.connector.address
    impaired = [r for r in failing if r.exchange_status == ExchangeStatus.IMPAIRED]
    if impaired:
        notice = impaired[0].exchange_notice or "maintenance"
        return Verdict(Attribution.EXCHANGE, f"{name}'s status page says: {notice}")
    faults = {result.fault for result in failing}
    if failing and faults == {Fault.EXCHANGE}:
        return Verdict(Attribution.EXCHANGE, f"{name} answered with an outage: {failing[0].reason}")
    if failing and faults == {Fault.NETWORK}:
        return Verdict(
            Attribution.EXCHANGE, f"{name} cannot be reached while other exchanges answer"
        )
    siblings = _sibling_statuses(check=check)
    if siblings and all(status in FAILING for status in siblings):
        return Verdict(
            Attribution.EXCHANGE,
            f"all {len(siblings) + 1} monitored connectors of {name} are failing",
        )
    step = next((r for r in failing if r.outcome == Outcome.DOWN and r.failed_step), None)
    where = f"{step.get_failed_step_display().lower()}: {step.reason}" if step else ""
    return Verdict(
        Attribution.CONNECTOR,
        f"{name} answers; the connector fails" + (f" at {where}" if where else ""),
    )


def _sibling_statuses(*, check: HealthCheck) -> list[str]:
    """The current status of the exchange's other monitored connectors."""
    exchange_id = check.connector.exchange_id
    if exchange_id is None:
        return []
    return list(
        HealthCheck.objects.filter(connector__exchange_id=exchange_id, enabled=True)
        .exclude(pk=check.pk)
        .exclude(status__in=[HealthStatus.UNKNOWN, HealthStatus.MAINTENANCE])
        .values_list("status", flat=True)
    )
