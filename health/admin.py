"""Staff screens: tune checks, read results, annotate incidents, schedule maintenance."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from core.admin import ReadOnlyAdminMixin
from core.exceptions import ApplicationError
from health.models import (
    AlertDelivery,
    CheckResult,
    HealthCheck,
    Incident,
    IncidentNote,
    MaintenanceWindow,
    StatusChange,
    WorkerHeartbeat,
)
from health.probes import check_is_monitored
from health.services.incidents import incident_annotate
from health.services.sweep import check_schedule_refresh


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    list_display = ["hostname", "region", "last_seen_at", "beats"]
    list_filter = ["region"]
    search_fields = ["hostname"]
    readonly_fields = ["hostname", "region", "last_seen_at", "beats"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class MaintenanceInline(admin.TabularInline):
    model = MaintenanceWindow
    fields = ["starts_at", "ends_at", "reason", "created_by"]
    readonly_fields = ["created_by"]
    extra = 0


@admin.register(HealthCheck)
class HealthCheckAdmin(admin.ModelAdmin):
    list_display = [
        "connector",
        "probe_id",
        "enabled",
        "interval_seconds",
        "status",
        "monitored",
        "last_result_at",
        "last_latency_ms",
    ]
    list_editable = ["enabled", "interval_seconds"]
    list_filter = ["status", "enabled", "probe_id", "connector__connector_type"]
    search_fields = ["connector__connector_id", "connector__exchange__name"]
    list_select_related = ["connector"]
    readonly_fields = [
        "connector",
        "status",
        "status_changed_at",
        "candidate_status",
        "candidate_count",
        "last_result_at",
        "last_latency_ms",
        "last_step_latencies_ms",
        "last_reason",
    ]
    fieldsets = [
        (
            None,
            {"fields": ["connector", "probe_id", "enabled", "interval_seconds", "trading_pair"]},
        ),
        (
            "Endpoints",
            {
                "fields": ["rest_url_override", "ws_url_override"],
                "description": "Point this connector's probe at another endpoint (a mirror, "
                "a testnet, the simulator). Blank uses HEALTH_ENDPOINT_OVERRIDES, then the "
                "exchange's own URLs.",
            },
        ),
        (
            "Current health",
            {
                "fields": [
                    "status",
                    "status_changed_at",
                    "candidate_status",
                    "candidate_count",
                    "last_result_at",
                    "last_latency_ms",
                    "last_step_latencies_ms",
                    "last_reason",
                ]
            },
        ),
    ]
    inlines = [MaintenanceInline]

    @admin.display(boolean=True)
    def monitored(self, obj: HealthCheck) -> bool:
        return check_is_monitored(check=obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # one per connector, made by the sweep

    def save_model(
        self, request: HttpRequest, obj: HealthCheck, form: ModelForm, change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if "interval_seconds" in form.changed_data:
            check_schedule_refresh(check=obj)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: Any, change: bool
    ) -> None:
        for window in formset.save(commit=False):
            if window.created_by_id is None:
                window.created_by = request.user
            window.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        formset.save_m2m()


@admin.register(CheckResult)
class CheckResultAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "health_check",
        "region",
        "scheduled_for",
        "outcome",
        "failed_step",
        "total_latency_ms",
        "reason",
    ]
    list_filter = ["outcome", "failed_step", "region"]
    search_fields = ["health_check__connector__connector_id", "reason"]
    list_select_related = ["health_check__connector"]
    date_hierarchy = "scheduled_for"


class IncidentNoteInline(admin.StackedInline):
    model = IncidentNote
    fields = ["body", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    extra = 1

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # updates are appended, never rewritten


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["title", "severity", "attribution", "opened_at", "resolved_at"]
    list_filter = ["severity", "attribution", ("resolved_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "cause", "health_check__connector__connector_id"]
    readonly_fields = [
        "health_check",
        "title",
        "severity",
        "attribution",
        "attribution_reason",
        "cause",
        "opened_at",
        "resolved_at",
    ]
    list_select_related = ["health_check__connector"]
    inlines = [IncidentNoteInline]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # incidents open by themselves

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: Any, change: bool
    ) -> None:
        incident = form.instance
        for note in formset.save(commit=False):
            try:
                author = request.user if isinstance(request.user, User) else None
                incident_annotate(incident=incident, author=author, body=note.body)
            except ApplicationError as exc:
                messages.error(request, exc.message)


@admin.register(MaintenanceWindow)
class MaintenanceWindowAdmin(admin.ModelAdmin):
    list_display = ["health_check", "starts_at", "ends_at", "reason", "created_by"]
    list_select_related = ["health_check__connector", "created_by"]
    search_fields = ["health_check__connector__connector_id", "reason"]
    readonly_fields = ["created_by"]
    autocomplete_fields = ["health_check"]

    def save_model(
        self, request: HttpRequest, obj: MaintenanceWindow, form: ModelForm, change: bool
    ) -> None:
        if obj.created_by_id is None:
            obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["health_check", "from_status", "to_status", "created_at", "reason"]
    list_filter = ["to_status"]
    list_select_related = ["health_check__connector"]


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["status_change", "url", "state", "attempts", "response_status", "sent_at"]
    list_filter = ["state"]
    list_select_related = ["status_change__health_check__connector"]
    actions = ["retry"]

    @admin.action(description="Send the selected failed alerts again")
    def retry(self, request: HttpRequest, queryset: QuerySet[AlertDelivery]) -> None:
        from health.tasks import alert_deliver_enqueue

        ids = list(queryset.filter(state="failed").values_list("pk", flat=True))
        AlertDelivery.objects.filter(pk__in=ids, state="failed").update(state="pending", attempts=0)
        for delivery_id in ids:
            alert_deliver_enqueue(delivery_id)
        messages.info(request, f"{len(ids)} alert(s) queued again.")
