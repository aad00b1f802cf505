"""Reads of the health app: the status page, a connector's panel, the API, metrics.

The status page is read in a fixed number of queries whatever the number of connectors:
connectors with their checks, 90 days of daily rollups, 24 hours of hourly rollups, recent
incidents and maintenance, each in one query, and grouped in Python.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_DOWN, Decimal
from functools import partial
from typing import Any

from django.db.models import Case, Count, F, Max, Prefetch, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Concat, Lower
from django.shortcuts import get_object_or_404
from django.utils import timezone

from connectors_registry.models import Connector, ConnectorType, InclusionStatus
from health.attribution import OfflineVerdict, offline_regions
from health.models import (
    CheckResult,
    CheckSchedule,
    HealthCheck,
    HealthStatus,
    Incident,
    IncidentNote,
    MaintenanceWindow,
    UptimeDaily,
    UptimeHourly,
    UptimeSummary,
    WorkerHeartbeat,
)
from health.probes import (
    check_is_monitored,
    check_trading_pair,
    default_probe_id,
    gateway_url,
    probe_endpoints,
    probe_is_monitored,
)
from health.uptime import (
    SPARKLINE_HOURS,
    UPTIME_DAYS,
    BarRun,
    DayCell,
    bar_runs,
    latency_points,
    uptime_days,
    uptime_ratio,
)

STALE_AFTER = timedelta(minutes=3)
NOT_MONITORED = "not_monitored"
DISPLAY_LABELS = {
    **dict(HealthStatus.choices),
    NOT_MONITORED: "Not monitored",
}
# The page's headline, worst first.
SEVERITY = [
    HealthStatus.DOWN,
    HealthStatus.DEGRADED,
    HealthStatus.MAINTENANCE,
    HealthStatus.UNKNOWN,
    HealthStatus.OPERATIONAL,
]


# -- worker freshness (every page's footer) ----------------------------------------------
@dataclass(frozen=True)
class WorkerFreshness:
    last_seen_at: datetime | None
    is_stale: bool


def worker_freshness() -> WorkerFreshness:
    """When a worker last ran a beat-scheduled task; stale after three missed minutes."""
    last_seen = WorkerHeartbeat.objects.aggregate(last=Max("last_seen_at"))["last"]
    stale = last_seen is None or timezone.now() - last_seen > STALE_AFTER
    return WorkerFreshness(last_seen_at=last_seen, is_stale=stale)


# -- uptime summaries (the status page's rows, kept by the rollups) ---------------------
def uptime_summaries_compute(
    *, check_ids: Collection[int], now: datetime
) -> dict[int, UptimeSummary]:
    """Each check's summary as of ``now`` from its rollups (unsaved rows): two queries
    whatever the number of checks."""
    today = now.astimezone(UTC).date()
    daily: dict[int, list[UptimeDaily]] = defaultdict(list)
    hourly: dict[int, list[UptimeHourly]] = defaultdict(list)
    if check_ids:
        for row in UptimeDaily.objects.filter(
            health_check_id__in=check_ids, day__gt=today - timedelta(days=UPTIME_DAYS)
        ).order_by():
            daily[row.health_check_id].append(row)
        for hour_row in UptimeHourly.objects.filter(
            health_check_id__in=check_ids, hour__gte=now - timedelta(hours=SPARKLINE_HOURS + 1)
        ).order_by():
            hourly[hour_row.health_check_id].append(hour_row)
    return {
        check_id: _summary(
            check_id,
            days=uptime_days(daily.get(check_id, []), today=today),
            hourly=hourly.get(check_id, []),
            now=now,
        )
        for check_id in check_ids
    }


def _summary(
    check_id: int, *, days: list[DayCell], hourly: list[UptimeHourly], now: datetime
) -> UptimeSummary:
    """What the status page shows of one check, from its 90 days and its hourly rows."""
    return UptimeSummary(
        health_check_id=check_id,
        as_of=now.astimezone(UTC).date(),
        uptime_30d=uptime_ratio(days[-30:]),
        uptime_90d=uptime_ratio(days),
        bar_runs=[run.as_json() for run in bar_runs(days)],
        latency_points=latency_points(hourly, now=now),
        refreshed_at=now,
    )


# -- the status page ---------------------------------------------------------------------
@dataclass
class ConnectorHealth:
    connector: Connector
    check: HealthCheck | None
    monitored: bool
    uptime_30d: float | None
    uptime_90d: float | None
    bars: list[BarRun]  # the 90 days as runs of like days
    latency: list[int | None]
    open_incident: Incident | None = None
    days: list[DayCell] = field(default_factory=list)  # each day: the connector page only

    @classmethod
    def from_summary(
        cls,
        summary: UptimeSummary,
        *,
        connector: Connector,
        check: HealthCheck,
        open_incident: Incident | None = None,
    ) -> ConnectorHealth:
        return cls(
            connector=connector,
            check=check,
            monitored=check_is_monitored(check=check),
            uptime_30d=summary.uptime_30d,
            uptime_90d=summary.uptime_90d,
            bars=[BarRun.from_json(run) for run in summary.bar_runs],
            latency=list(summary.latency_points),
            open_incident=open_incident,
        )

    @property
    def display_status(self) -> str:
        if self.check is None or not self.monitored:
            return NOT_MONITORED
        return self.check.status

    @property
    def display_label(self) -> str:
        return DISPLAY_LABELS[self.display_status]

    @property
    def latest_latency(self) -> int | None:
        return next((p for p in reversed(self.latency) if p is not None), None)


@dataclass
class TypeGroup:
    """One connector type's table. Its rows are read only when asked for: a page whose
    group fragment is cached under ``version`` never reads them (``status_page``)."""

    key: str
    label: str
    version: str  # changes whenever anything the group's table shows changes
    statuses: list[str]  # each connector's display status, for the page's totals
    load: Callable[[], list[ConnectorHealth]] = field(repr=False)
    _rows: list[ConnectorHealth] | None = field(default=None, repr=False)

    @property
    def rows(self) -> list[ConnectorHealth]:
        if self._rows is None:
            self._rows = self.load()
        return self._rows

    @property
    def monitored(self) -> list[ConnectorHealth]:
        return [row for row in self.rows if row.monitored]

    @property
    def unmonitored(self) -> list[ConnectorHealth]:
        return [row for row in self.rows if not row.monitored]


@dataclass
class StatusPage:
    groups: list[TypeGroup]
    open_incidents: list[Incident]
    recent_incidents: list[Incident]
    maintenance: list[MaintenanceWindow]
    generated_at: datetime
    # regions where our own probes reach nothing (health.attribution, case a)
    monitoring_offline: list[OfflineVerdict] = field(default_factory=list)

    @property
    def rows(self) -> list[ConnectorHealth]:
        return [row for group in self.groups for row in group.rows]

    @property
    def headline(self) -> str:
        """The worst status among monitored connectors."""
        statuses = set(self.counts)
        return next((s for s in SEVERITY if s in statuses), NOT_MONITORED)

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for group in self.groups:
            for status in group.statuses:
                counts[status] += 1
        return dict(counts)


def status_page(*, now: datetime | None = None) -> StatusPage:
    """Every connector grouped by type, in a fixed number of queries whatever their number.

    One light query reads what decides each row (statuses, summaries' refresh times, every
    timestamp a row shows): enough for the page's totals and for each group's version. A
    group's rows (connectors with their summary, kept by the rollups) are read only when its
    fragment is drawn; a summary missing or of another day is computed from the rollups
    then, in two queries for the whole group.
    """
    now = now or timezone.now()
    today = now.astimezone(UTC).date()
    listed = Connector.objects.exclude(status=InclusionStatus.REMOVED)
    incidents = list(
        Incident.objects.select_related("health_check__connector")
        .prefetch_related("notes")
        .filter(Q(opened_at__gte=now - timedelta(days=UPTIME_DAYS)) | Q(resolved_at__isnull=True))
        .order_by("-opened_at")[:200]
    )
    open_by_check = {i.health_check_id: i for i in incidents if i.resolved_at is None}
    # per type, status, switch and probe: how many, and the newest change of each table a
    # row shows (every change moves one: updated_at, the summary's refreshed_at)
    facts: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    statuses: dict[str, list[str]] = defaultdict(list)
    unchecked = Case(  # no check row yet (before the first sweep): its default probe decides
        When(health_check__isnull=True, then=Concat("namespace", Value(":"), "connector_id")),
        default=Value(""),
    )
    for row in (
        listed.order_by()
        .values_list(
            "connector_type",
            "health_check__status",
            "health_check__enabled",
            "health_check__probe_id",
        )
        .annotate(
            unchecked=unchecked,
            count=Count("pk"),
            connectors=Max("updated_at"),
            exchanges=Max("exchange__updated_at"),
            checks=Max("health_check__updated_at"),
            summaries=Max("health_check__summary__refreshed_at"),
        )
    ):
        kind, status, enabled, probe, unchecked_id, count = row[:6]
        if unchecked_id:
            namespace, connector_id = unchecked_id.split(":", 1)
            probe = default_probe_id(
                connector=Connector(
                    namespace=namespace, connector_id=connector_id, connector_type=kind
                )
            )
            enabled, status = True, HealthStatus.UNKNOWN
        watched = probe_is_monitored(enabled=enabled, probe_id=probe)
        statuses[kind] += [status if watched else NOT_MONITORED] * count
        facts[kind].append(row)
    for incident in open_by_check.values():
        facts[incident.health_check.connector.connector_type].append(
            ("incident", incident.health_check_id, incident.pk)
        )
    groups = [
        TypeGroup(
            key=key,
            label=str(label),
            version=_version(facts[key], today=today),
            statuses=statuses[key],
            load=partial(
                _group_rows, listed.filter(connector_type=key), now=now, incidents=open_by_check
            ),
        )
        for key, label in ConnectorType.choices
        if facts[key]
    ]
    maintenance = list(
        MaintenanceWindow.objects.select_related("health_check__connector")
        .filter(ends_at__gt=now)
        .order_by("starts_at")[:50]
    )
    return StatusPage(
        groups=groups,
        open_incidents=[i for i in incidents if i.resolved_at is None],
        recent_incidents=incidents[:30],
        maintenance=maintenance,
        generated_at=now,
        monitoring_offline=offline_regions(
            regions=CheckSchedule.objects.values_list("region", flat=True).distinct(), now=now
        ),
    )


def _version(facts: list[tuple[Any, ...]], *, today: date) -> str:
    """A digest of what decides a group's rows: how many of each status, the newest change
    of every table a row shows, the day (the bars move at midnight UTC), the open incidents
    and whether a Gateway is configured. A cached fragment lives at most
    HEALTH_STATUS_FRAGMENT_CACHE_SECONDS, so a change made behind the models' back (a raw
    UPDATE) shows within that time."""
    facts = sorted(facts, key=repr)
    return hashlib.sha256(repr((today, gateway_url(), facts)).encode()).hexdigest()


def _group_rows(
    connectors: QuerySet[Connector], *, now: datetime, incidents: dict[int, Incident]
) -> list[ConnectorHealth]:
    today = now.astimezone(UTC).date()
    listed = list(
        connectors.select_related("exchange", "health_check", "health_check__summary").order_by(
            Lower("exchange__name"), "connector_id", "sub_type"
        )
    )
    summaries: dict[int, UptimeSummary] = {}
    outdated: list[int] = []
    for connector in listed:
        check = getattr(connector, "health_check", None)
        if check is None:
            continue
        summary = getattr(check, "summary", None)
        if summary is not None and summary.as_of == today:
            summaries[check.pk] = summary
        else:
            outdated.append(check.pk)
    summaries.update(uptime_summaries_compute(check_ids=outdated, now=now))
    nothing_yet = _summary(0, days=uptime_days([], today=today), hourly=[], now=now)
    rows = []
    for connector in listed:
        # before the first sweep makes its row, show what the check will be (unknown)
        check = getattr(connector, "health_check", None) or HealthCheck(
            connector=connector, probe_id=default_probe_id(connector=connector)
        )
        rows.append(
            ConnectorHealth.from_summary(
                summaries.get(check.pk or 0, nothing_yet),
                connector=connector,
                check=check,
                open_incident=incidents.get(check.pk or 0),
            )
        )
    return rows


# -- one connector -----------------------------------------------------------------------
@dataclass
class ConnectorPanel:
    health: ConnectorHealth
    latest_results: list[CheckResult]
    incidents: list[Incident]
    maintenance: list[MaintenanceWindow]
    trading_pair: str
    rest_url: str
    ws_url: str


def connector_panel(*, connector: Connector, now: datetime | None = None) -> ConnectorPanel:
    """The connector page's health panel; its check row is made on first view."""
    now = now or timezone.now()
    check = HealthCheck.objects.filter(connector=connector).first()
    if check is None:  # the next sweep creates it; until then, show what it will be
        check = HealthCheck(connector=connector, probe_id=default_probe_id(connector=connector))
    today = now.astimezone(UTC).date()
    saved = check.pk is not None
    daily = (
        list(
            UptimeDaily.objects.filter(
                health_check=check, day__gt=today - timedelta(days=UPTIME_DAYS)
            )
        )
        if saved
        else []
    )
    hourly = (
        list(
            UptimeHourly.objects.filter(
                health_check=check, hour__gte=now - timedelta(hours=SPARKLINE_HOURS + 1)
            )
        )
        if saved
        else []
    )
    incidents = (
        list(Incident.objects.filter(health_check=check).order_by("-opened_at")[:5])
        if saved
        else []
    )
    days = uptime_days(daily, today=today)
    health = ConnectorHealth.from_summary(
        _summary(check.pk or 0, days=days, hourly=hourly, now=now),
        connector=connector,
        check=check,
        open_incident=next((i for i in incidents if i.resolved_at is None), None),
    )
    monitored = health.monitored
    endpoints = probe_endpoints(check=check) if monitored else None
    return ConnectorPanel(
        health=replace(health, days=days),
        latest_results=latest_results(check=check) if saved else [],
        incidents=incidents,
        maintenance=list(
            MaintenanceWindow.objects.filter(health_check=check, ends_at__gt=now).order_by(
                "starts_at"
            )[:5]
        )
        if saved
        else [],
        trading_pair=check_trading_pair(check=check) if monitored else "",
        rest_url=endpoints.rest_url if endpoints else "",
        ws_url=endpoints.ws_url if endpoints else "",
    )


def latest_results(*, check: HealthCheck, limit: int = 10) -> list[CheckResult]:
    """The newest result of each region first, then the rest, newest first."""
    return list(CheckResult.objects.filter(health_check=check).order_by("-finished_at")[:limit])


# -- incidents ---------------------------------------------------------------------------
def incident_list() -> QuerySet[Incident]:
    return (
        Incident.objects.select_related("health_check__connector")
        .prefetch_related("notes")
        .order_by("-opened_at")
    )


def incident_get(*, pk: int) -> Incident:
    return get_object_or_404(
        Incident.objects.select_related("health_check__connector__exchange").prefetch_related(
            Prefetch("notes", queryset=IncidentNote.objects.select_related("author"))
        ),
        pk=pk,
    )


# -- metrics -----------------------------------------------------------------------------
@dataclass(frozen=True)
class MetricRow:
    address: str
    connector_type: str
    status: str
    monitored: bool
    last_result_at: datetime | None
    last_latency_ms: int | None


def metric_rows() -> list[MetricRow]:
    """Per-connector status and the latest check's latency, in one query of the columns a
    scrape uses (the check row keeps its latest result's numbers, so a scrape never scans
    the results table)."""
    checks = HealthCheck.objects.select_related("connector").only(
        "enabled",
        "probe_id",
        "status",
        "last_result_at",
        "last_latency_ms",
        "connector__namespace",
        "connector__connector_id",
        "connector__sub_type",
        "connector__connector_type",
    )
    return [
        MetricRow(
            address=c.connector.address,
            connector_type=c.connector.connector_type,
            status=c.status,
            monitored=check_is_monitored(check=c),
            last_result_at=c.last_result_at,
            last_latency_ms=c.last_latency_ms,
        )
        for c in checks.order_by()
    ]


# -- badges ------------------------------------------------------------------------------
@dataclass(frozen=True)
class BadgeHealth:
    label: str
    status: str


def badge_health(*, slug: str) -> BadgeHealth:
    """A connector by its registry slug (``binance_perpetual``, ``uniswap-clmm``)."""
    connector = get_object_or_404(Connector.objects.select_related("health_check"), slug=slug)
    check = getattr(connector, "health_check", None)
    if check is None or not check_is_monitored(check=check):
        return BadgeHealth(label=connector.address, status=NOT_MONITORED)
    return BadgeHealth(label=connector.address, status=check.status)


def connector_by_slug(*, slug: str) -> Connector:
    return get_object_or_404(
        Connector.objects.select_related("exchange", "health_check"), slug=slug
    )


# -- health of groups of connectors at a moment (beside a poll's choices) ------------------
@dataclass(frozen=True)
class GroupHealth:
    """The health of a group of connectors as it was at one moment.

    ``checked``: connectors of the group with a health check then. Without any, nothing is
    known: uptime and incidents are None (no data), never 0. Uptime is the share of checked
    slots that were not down (degraded still works) in the daily rollups of the last 30 or
    90 UTC days up to the moment's day; None when those days have no rollup.
    """

    checked: int
    uptime_30d: Decimal | None = None  # percent, 2 decimals, rounded down
    uptime_90d: Decimal | None = None
    open_incidents: int | None = None  # open at the moment
    period_incidents: int | None = None  # open at any time in the period, up to the moment


def connector_groups_health(
    *,
    groups: Mapping[str, Iterable[int]],
    as_of: datetime,
    period_start: datetime | None = None,
    period_end: datetime | None = None,
) -> dict[str, GroupHealth]:
    """The health of each group of connectors (key -> connector ids) as it was at ``as_of``;
    incidents of the period ``[period_start, period_end)`` are counted when it is given.

    At most three queries whatever the number of groups: the checks, their daily rollups
    summed per check, their incidents counted per check.
    """
    wanted = {key: set(ids) for key, ids in groups.items()}
    every = set().union(*wanted.values()) if wanted else set()
    checks = dict(
        HealthCheck.objects.filter(connector_id__in=every, created_at__lte=as_of)
        .order_by()
        .values_list("connector_id", "id")
    )
    day = as_of.astimezone(UTC).date()
    has_period = period_start is not None and period_end is not None
    # per check: (working slots, slots) in the last 30 days, the same in the last 90
    rollups: dict[int, tuple[int, int, int, int]] = {}
    # per check: incidents open at the moment, incidents open during the period
    incidents: dict[int, tuple[int, int]] = {}
    if checks:
        working = F("up") + F("degraded")
        recent = Q(day__gt=day - timedelta(days=30))
        rows = (
            UptimeDaily.objects.filter(
                health_check_id__in=checks.values(),
                day__gt=day - timedelta(days=UPTIME_DAYS),
                day__lte=day,
            )
            .order_by()
            .values("health_check_id")
            .annotate(
                working_30=Coalesce(Sum(working, filter=recent), 0),
                slots_30=Coalesce(Sum("slots", filter=recent), 0),
                working_90=Coalesce(Sum(working), 0),
                slots_90=Coalesce(Sum("slots"), 0),
            )
            .values_list("health_check_id", "working_30", "slots_30", "working_90", "slots_90")
        )
        rollups = {check_id: (w30, s30, w90, s90) for check_id, w30, s30, w90, s90 in rows}
        in_period = (
            Q(opened_at__lt=period_end)
            & (Q(resolved_at__isnull=True) | Q(resolved_at__gte=period_start))
            if has_period
            else Q(opened_at__isnull=True)  # never: every incident has opened
        )
        counted = (
            Incident.objects.filter(health_check_id__in=checks.values(), opened_at__lte=as_of)
            .order_by()
            .values("health_check_id")
            .annotate(
                open=Count("id", filter=Q(resolved_at__isnull=True) | Q(resolved_at__gt=as_of)),
                period=Count("id", filter=in_period),
            )
            .values_list("health_check_id", "open", "period")
        )
        incidents = {check_id: (opened, period) for check_id, opened, period in counted}
    result: dict[str, GroupHealth] = {}
    for key, connector_ids in wanted.items():
        check_ids = [checks[c] for c in connector_ids if c in checks]
        if not check_ids:
            result[key] = GroupHealth(checked=0)
            continue
        days = [rollups[c] for c in check_ids if c in rollups]
        seen = [incidents.get(c, (0, 0)) for c in check_ids]
        result[key] = GroupHealth(
            checked=len(check_ids),
            uptime_30d=_percent(sum(r[0] for r in days), sum(r[1] for r in days)),
            uptime_90d=_percent(sum(r[2] for r in days), sum(r[3] for r in days)),
            open_incidents=sum(opened for opened, _ in seen),
            period_incidents=sum(period for _, period in seen) if has_period else None,
        )
    return result


def _percent(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in percent, 2 decimals rounded down (99.999% is not 100%)."""
    if not whole:
        return None
    return (Decimal(part * 100) / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)


# -- a connector's timeline ----------------------------------------------------------------
@dataclass(frozen=True)
class ConnectorHealthHistory:
    """The newest incidents and maintenance of a connector before a cursor, per kind of
    event (at most ``limit`` of each), for the registry's timeline."""

    incidents_opened: list[Incident]
    incidents_resolved: list[Incident]
    maintenance_started: list[MaintenanceWindow]
    maintenance_ended: list[MaintenanceWindow]


def connector_health_history(
    *, connector: Connector, before: datetime | None, limit: int, now: datetime | None = None
) -> ConnectorHealthHistory:
    """Four queries whatever the length of the history. Maintenance counts once it has
    started (or ended): a window only scheduled has not happened yet."""
    now = now or timezone.now()
    until = now if before is None else min(before, now)
    incidents = Incident.objects.filter(health_check__connector=connector)
    windows = MaintenanceWindow.objects.filter(health_check__connector=connector)
    opened = incidents if before is None else incidents.filter(opened_at__lt=before)
    resolved = incidents.filter(resolved_at__isnull=False)
    if before is not None:
        resolved = resolved.filter(resolved_at__lt=before)
    return ConnectorHealthHistory(
        incidents_opened=list(opened.order_by("-opened_at", "-id")[:limit]),
        incidents_resolved=list(resolved.order_by("-resolved_at", "-id")[:limit]),
        maintenance_started=list(
            windows.filter(starts_at__lt=until).order_by("-starts_at", "-id")[:limit]
        ),
        maintenance_ended=list(
            windows.filter(ends_at__lt=until).order_by("-ends_at", "-id")[:limit]
        ),
    )
