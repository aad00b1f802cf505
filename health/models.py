"""Health of connectors, and of Connector Hub's own background workers.

A ``HealthCheck`` row per connector holds its settings (interval, endpoints, pair) and its
current status. Each region's sweep claims due work on its ``CheckSchedule`` row and writes
one ``CheckResult`` per (check, region, scheduled slot). Status changes are recorded once as
``StatusChange`` rows, the outbox from which ``AlertDelivery`` rows are sent. Incidents open
and resolve with the status; raw results roll up into hourly and daily uptime rows.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from connectors_registry.models import Connector
from core.models import TimestampedModel
from core.outbound import validate_outbound_http_url, validate_outbound_ws_url
from health.checks import Step
from health.connectors import PROBE_CHOICES

MIN_INTERVAL_SECONDS = 10
MAX_INTERVAL_SECONDS = 24 * 60 * 60
TRADING_PAIR_RE = r"^[A-Z0-9]+(?:[.:/][A-Z0-9]+)*-[A-Z0-9]+$"

ws_url_validator = RegexValidator(
    r"^wss?://[^\s/$.?#][^\s]*$", "Enter a WebSocket URL starting with ws:// or wss://."
)
trading_pair_validator = RegexValidator(
    TRADING_PAIR_RE, "Use Hummingbot's BASE-QUOTE form in capitals, e.g. BTC-USDT."
)


class WorkerHeartbeat(models.Model):
    """Written by a beat-scheduled task, so a fresh row proves beat and a worker both run.

    Pages show its age so that stale health data is never shown as current.
    """

    hostname = models.CharField(max_length=255, unique=True)
    region = models.CharField(max_length=64)
    last_seen_at = models.DateTimeField()
    beats = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.hostname} ({self.region})"


class HealthStatus(models.TextChoices):
    OPERATIONAL = "operational", "Operational"
    DEGRADED = "degraded", "Degraded"
    DOWN = "down", "Down"
    UNKNOWN = "unknown", "Unknown"
    MAINTENANCE = "maintenance", "Maintenance"


class Outcome(models.TextChoices):
    """What one check in one region saw."""

    UP = "up", "Up"
    DEGRADED = "degraded", "Degraded"
    DOWN = "down", "Down"


class Fault(models.TextChoices):
    """Whose side a failed check points at (see ``health.connectors.base.Fault``)."""

    NETWORK = "network", "Network (no answer)"
    EXCHANGE = "exchange", "Exchange (outage answer)"
    CONNECTOR = "connector", "Connector (answer not usable)"


class ExchangeStatus(models.TextChoices):
    """What the exchange's own status endpoint said after a failed check."""

    NORMAL = "normal", "Normal"
    IMPAIRED = "impaired", "Maintenance or impaired"


class Attribution(models.TextChoices):
    """Why an incident happened, as far as the checks can tell."""

    EXCHANGE = "exchange", "Exchange outage"
    CONNECTOR = "connector", "Connector regression"


class StepName(models.TextChoices):
    SERVER_TIME = Step.SERVER_TIME.value, "Server time"
    MARKETS = Step.MARKETS.value, "Markets"
    ORDER_BOOK = Step.ORDER_BOOK.value, "Order book"
    STREAM = Step.STREAM.value, "Stream"


class HealthCheck(TimestampedModel):
    """One connector's probe settings (editable by staff) and its current health."""

    connector = models.OneToOneField(
        Connector, on_delete=models.CASCADE, related_name="health_check"
    )
    probe_id = models.CharField(
        "bundled connector",
        max_length=40,
        blank=True,
        choices=PROBE_CHOICES,
        help_text="Which bundled connector probes it; blank when none fits (not monitored).",
    )
    enabled = models.BooleanField(default=True)
    interval_seconds = models.PositiveIntegerField(
        default=60,
        validators=[
            MinValueValidator(MIN_INTERVAL_SECONDS),
            MaxValueValidator(MAX_INTERVAL_SECONDS),
        ],
        help_text="Seconds between checks in each region.",
    )
    trading_pair = models.CharField(
        max_length=40,
        blank=True,
        validators=[trading_pair_validator],
        help_text="Pair to probe, e.g. BTC-USDT. Blank: the bundled connector's default.",
    )
    # Public addresses only (core.outbound), checked again before each check runs.
    rest_url_override = models.URLField(
        "REST base URL",
        blank=True,
        validators=[validate_outbound_http_url],
        help_text="Blank: settings, then the exchange's own.",
    )
    ws_url_override = models.CharField(
        "WebSocket URL",
        max_length=300,
        blank=True,
        validators=[ws_url_validator, validate_outbound_ws_url],
        help_text="Blank: settings, then the exchange's own.",
    )
    status = models.CharField(
        max_length=12, choices=HealthStatus.choices, default=HealthStatus.UNKNOWN
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Hysteresis: the status the recent results point to, and how many in a row did.
    candidate_status = models.CharField(max_length=12, choices=HealthStatus.choices, blank=True)
    candidate_count = models.PositiveSmallIntegerField(default=0)
    candidate_slot = models.DateTimeField(
        null=True, blank=True, help_text="The latest slot counted towards the candidate."
    )
    last_result_at = models.DateTimeField(null=True, blank=True)
    last_latency_ms = models.PositiveIntegerField(null=True, blank=True)
    last_step_latencies_ms = models.JSONField(default=dict, blank=True)
    last_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["connector__connector_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_seconds__gte=MIN_INTERVAL_SECONDS)
                & Q(interval_seconds__lte=MAX_INTERVAL_SECONDS),
                name="health_check_interval_range",
            ),
            models.CheckConstraint(
                condition=Q(status__in=HealthStatus.values), name="health_check_status_known"
            ),
            models.CheckConstraint(
                condition=Q(candidate_status="") | Q(candidate_status__in=HealthStatus.values),
                name="health_check_candidate_known",
            ),
        ]

    def __str__(self) -> str:
        return f"health of {self.connector}"

    def get_absolute_url(self) -> str:
        return self.connector.get_absolute_url()


class CheckSchedule(models.Model):
    """When a region next checks a connector; claimed with a conditional update."""

    health_check = models.ForeignKey(
        HealthCheck, on_delete=models.CASCADE, related_name="schedules"
    )
    region = models.CharField(max_length=64)
    next_check_at = models.DateTimeField()
    last_claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["health_check", "region"], name="check_schedule_per_region"
            )
        ]
        indexes = [models.Index(fields=["region", "next_check_at"], name="check_schedule_due")]

    def __str__(self) -> str:
        return f"{self.health_check.connector} in {self.region} at {self.next_check_at:%H:%M:%S}"


class CheckResult(models.Model):
    """What one run of a check saw: per-step latency and, on failure, the step and reason."""

    health_check = models.ForeignKey(HealthCheck, on_delete=models.CASCADE, related_name="results")
    region = models.CharField(max_length=64)
    scheduled_for = models.DateTimeField(help_text="The slot this run belongs to.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    failed_step = models.CharField(max_length=12, choices=StepName.choices, blank=True)
    reason = models.TextField(blank=True)
    step_latencies_ms = models.JSONField(default=dict)
    steps = models.JSONField(default=list)
    total_latency_ms = models.PositiveIntegerField()
    trading_pair = models.CharField(max_length=40, blank=True)
    fault = models.CharField(
        max_length=10, choices=Fault.choices, blank=True, help_text="Blank when it passed."
    )
    exchange_status = models.CharField(
        max_length=10,
        choices=ExchangeStatus.choices,
        blank=True,
        help_text="The exchange's status endpoint after a failure; blank when not asked.",
    )
    exchange_notice = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-scheduled_for", "region"]
        constraints = [
            # an acks_late redelivery of the same slot never writes a second result
            models.UniqueConstraint(
                fields=["health_check", "region", "scheduled_for"],
                name="check_result_once_per_slot",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="check_result_outcome_known"
            ),
            models.CheckConstraint(
                condition=(Q(outcome=Outcome.DOWN) & ~Q(failed_step=""))
                | (~Q(outcome=Outcome.DOWN) & Q(failed_step="")),
                name="check_result_failed_step_iff_down",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__gte=F("started_at")),
                name="check_result_finished_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["health_check", "-finished_at"], name="check_result_latest"),
            # "is our monitoring offline in this region?": the region's newest results
            models.Index(fields=["region", "-finished_at"], name="check_result_region_recent"),
            # the rollup's time window and the purge's cutoff (issue 13: a scan without it)
            models.Index(fields=["scheduled_for"], name="check_result_by_slot"),
            models.Index(fields=["finished_at"], name="check_result_age"),
        ]

    def __str__(self) -> str:
        slot = f"{self.scheduled_for:%Y-%m-%d %H:%M:%S}"
        return f"{self.health_check.connector} {self.region} {slot}: {self.outcome}"


class StatusChange(models.Model):
    """Append-only: every change of a connector's health status; the alert outbox."""

    health_check = models.ForeignKey(
        HealthCheck, on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(max_length=12, choices=HealthStatus.choices)
    to_status = models.CharField(max_length=12, choices=HealthStatus.choices)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_status=F("to_status")), name="status_change_changes"
            )
        ]

    def __str__(self) -> str:
        return f"{self.health_check.connector}: {self.from_status} → {self.to_status}"


class Incident(models.Model):
    """Opened when a connector degrades or goes down; resolved when it is operational again."""

    health_check = models.ForeignKey(
        HealthCheck, on_delete=models.CASCADE, related_name="incidents"
    )
    title = models.CharField(max_length=200)
    severity = models.CharField(
        max_length=12,
        choices=[(HealthStatus.DEGRADED, "Degraded"), (HealthStatus.DOWN, "Down")],
        help_text="The worst status seen during the incident.",
    )
    cause = models.TextField(blank=True, help_text="The failure that opened it.")
    opened_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    attribution = models.CharField(
        max_length=10,
        choices=Attribution.choices,
        default=Attribution.CONNECTOR,
        help_text="Exchange outage or connector regression; kept current while open.",
    )
    attribution_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["health_check"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_incident_per_check",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("opened_at")),
                name="incident_resolved_after_opened",
            ),
            models.CheckConstraint(
                condition=Q(severity__in=[HealthStatus.DEGRADED, HealthStatus.DOWN]),
                name="incident_severity_known",
            ),
        ]
        indexes = [models.Index(fields=["-opened_at"], name="incident_recent")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("health:incident-detail", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class IncidentNote(models.Model):
    """A staff annotation on an incident (cause found, fix merged, exchange notice...)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note on {self.incident}"


class MaintenanceWindow(models.Model):
    """Scheduled maintenance: the connector shows 'maintenance' and sends no alerts."""

    health_check = models.ForeignKey(
        HealthCheck, on_delete=models.CASCADE, related_name="maintenance_windows"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="maintenance_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["health_check", "ends_at"], name="maintenance_active")]

    def __str__(self) -> str:
        return f"{self.health_check.connector} maintenance {self.starts_at:%Y-%m-%d %H:%M}"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class AlertDelivery(models.Model):
    """One alert to one webhook for one status change; claimed before it is sent, so a
    retried task never posts it twice."""

    status_change = models.ForeignKey(
        StatusChange, on_delete=models.CASCADE, related_name="deliveries"
    )
    url = models.URLField(max_length=500)
    state = models.CharField(
        max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "alert deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["status_change", "url"], name="alert_delivery_once_per_webhook"
            ),
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values), name="alert_delivery_state_known"
            ),
            models.CheckConstraint(
                condition=~Q(state=DeliveryState.SENT) | Q(sent_at__isnull=False),
                name="alert_delivery_sent_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"alert {self.status_change} → {self.state}"


class UptimeCounts(models.Model):
    """A period's slots by outcome and its latency, as the rollups add them up."""

    slots = models.PositiveIntegerField(default=0)
    up = models.PositiveIntegerField(default=0)
    degraded = models.PositiveIntegerField(default=0)
    down = models.PositiveIntegerField(default=0)
    latency_sum_ms = models.PositiveBigIntegerField(default=0)
    latency_count = models.PositiveIntegerField(default=0)
    latency_max_ms = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class UptimeHourly(UptimeCounts):
    """One hour of one connector, rolled up from raw results. A slot (one scheduled check,
    every region) is down only if every region that ran it saw it down."""

    health_check = models.ForeignKey(HealthCheck, on_delete=models.CASCADE, related_name="hourly")
    hour = models.DateTimeField()

    class Meta:
        ordering = ["-hour"]
        constraints = [
            models.UniqueConstraint(fields=["health_check", "hour"], name="uptime_hourly_once"),
            models.CheckConstraint(
                condition=Q(slots=F("up") + F("degraded") + F("down")),
                name="uptime_hourly_slots_add_up",
            ),
        ]
        indexes = [models.Index(fields=["hour"], name="uptime_hourly_hour")]

    def __str__(self) -> str:
        return f"{self.health_check.connector} {self.hour:%Y-%m-%d %H}h"


class UptimeDaily(UptimeCounts):
    """One UTC day of one connector, rolled up from the hourly rows; kept for good."""

    health_check = models.ForeignKey(HealthCheck, on_delete=models.CASCADE, related_name="daily")
    day = models.DateField()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["health_check", "day"], name="uptime_daily_once"),
            models.CheckConstraint(
                condition=Q(slots=F("up") + F("degraded") + F("down")),
                name="uptime_daily_slots_add_up",
            ),
        ]
        indexes = [models.Index(fields=["day"], name="uptime_daily_day")]

    def __str__(self) -> str:
        return f"{self.health_check.connector} {self.day}"


class UptimeSummary(models.Model):
    """What the status page shows of one connector, kept by the rollups so a render reads
    one small row per connector instead of 90 daily and 24 hourly ones: the 90-day bar as
    runs of like days, the 30- and 90-day uptime, and 24 hours of hourly latency."""

    health_check = models.OneToOneField(
        HealthCheck, on_delete=models.CASCADE, primary_key=True, related_name="summary"
    )
    as_of = models.DateField(help_text="The UTC day the 90 days end on.")
    uptime_30d = models.FloatField(null=True, blank=True)
    uptime_90d = models.FloatField(null=True, blank=True)
    bar_runs = models.JSONField(
        default=list, help_text="[first day index, days, level, tooltip] per run, oldest first."
    )
    latency_points = models.JSONField(
        default=list, help_text="Average latency (ms) per hour, 24 hours, oldest first."
    )
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["as_of"], name="uptime_summary_as_of")]

    def __str__(self) -> str:
        return f"summary of check {self.health_check_id} as of {self.as_of}"
