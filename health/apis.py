"""Public read API for connector health (``/api/v1/health/``).

``summary/`` follows the shape of Atlassian Statuspage's ``summary.json`` (page, status,
components, incidents, scheduled maintenances) so status tools can read it as they are.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.cache import cached_or_rebuilt
from health import selectors
from health.models import CheckResult, Incident, MaintenanceWindow


@extend_schema_serializer(component_name="HealthIncidentNote")
class IncidentNoteSerializer(serializers.Serializer):
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="HealthIncident")
class IncidentSerializer(serializers.ModelSerializer):
    connector = serializers.CharField(source="health_check.connector.address")
    status = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    updates = IncidentNoteSerializer(source="notes", many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "connector",
            "title",
            "severity",
            "status",
            "cause",
            "attribution",
            "attribution_reason",
            "opened_at",
            "resolved_at",
            "updates",
            "url",
        ]

    def get_status(self, obj: Incident) -> str:
        return "resolved" if obj.resolved_at else "ongoing"

    def get_url(self, obj: Incident) -> str:
        request = self.context.get("request")
        path = obj.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


@extend_schema_serializer(component_name="HealthMaintenance")
class MaintenanceSerializer(serializers.ModelSerializer):
    connector = serializers.CharField(source="health_check.connector.address")

    class Meta:
        model = MaintenanceWindow
        fields = ["connector", "starts_at", "ends_at", "reason"]


@extend_schema_serializer(component_name="HealthComponent")
class ComponentSerializer(serializers.Serializer):
    """One connector as a Statuspage component."""

    name = serializers.CharField(source="connector.address")
    slug = serializers.CharField(source="connector.slug")
    exchange = serializers.CharField(source="connector.exchange.name")
    type = serializers.CharField(source="connector.connector_type")
    status = serializers.CharField(source="display_status")
    monitored = serializers.BooleanField()
    uptime_30d = serializers.FloatField(allow_null=True)
    uptime_90d = serializers.FloatField(allow_null=True)
    latency_ms = serializers.IntegerField(source="latest_latency", allow_null=True)
    status_changed_at = serializers.DateTimeField(source="check.status_changed_at", allow_null=True)
    last_checked_at = serializers.DateTimeField(source="check.last_result_at", allow_null=True)


class HealthSummaryApi(APIView):
    """Every connector's health, open incidents and upcoming maintenance."""

    @extend_schema_serializer(component_name="HealthSummary")
    class OutputSerializer(serializers.Serializer):
        page = serializers.DictField()
        status = serializers.DictField()
        components = ComponentSerializer(many=True)
        incidents = IncidentSerializer(many=True)
        scheduled_maintenances = MaintenanceSerializer(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request) -> Response:
        seconds = settings.HEALTH_STATUS_PAGE_CACHE_SECONDS
        if seconds <= 0:
            return Response(self._summary(request))
        return Response(  # the same for everyone: one copy, rebuilt by one request at a time
            cached_or_rebuilt(
                "health:summary-api",
                fresh_seconds=seconds,
                stale_seconds=settings.HEALTH_STATUS_PAGE_STALE_SECONDS,
                build=lambda: self._summary(request),
            )
        )

    def _summary(self, request: Request) -> dict[str, Any]:
        page = selectors.status_page()
        data: dict[str, Any] = {
            "page": {"name": "Connector Hub connector health", "updated_at": page.generated_at},
            "status": {
                "indicator": page.headline,
                "description": selectors.DISPLAY_LABELS[page.headline],
                "counts": page.counts,
            },
            "components": page.rows,
            "incidents": page.open_incidents,
            "scheduled_maintenances": page.maintenance,
        }
        return dict(self.OutputSerializer(data, context={"request": request}).data)


@extend_schema_serializer(component_name="HealthCheckResult")
class CheckResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = CheckResult
        fields = [
            "region",
            "scheduled_for",
            "finished_at",
            "outcome",
            "failed_step",
            "reason",
            "step_latencies_ms",
            "total_latency_ms",
            "trading_pair",
        ]


class ConnectorHealthDetailApi(APIView):
    """One connector (by registry slug): status, 90 days of uptime, latest results."""

    @extend_schema_serializer(component_name="HealthUptimeDay")
    class DaySerializer(serializers.Serializer):
        day = serializers.DateField()
        slots = serializers.IntegerField()
        up = serializers.IntegerField()
        degraded = serializers.IntegerField()
        down = serializers.IntegerField()
        ratio = serializers.FloatField(allow_null=True)

    @extend_schema_serializer(component_name="ConnectorHealth")
    class OutputSerializer(serializers.Serializer):
        component = ComponentSerializer()
        trading_pair = serializers.CharField()
        uptime_days = serializers.ListField(child=serializers.DictField())
        latency_ms_hourly = serializers.ListField(child=serializers.IntegerField(allow_null=True))
        latest_results = CheckResultSerializer(many=True)
        incidents = IncidentSerializer(many=True)

    @extend_schema(responses=OutputSerializer)
    def get(self, request: Request, slug: str) -> Response:
        connector = selectors.connector_by_slug(slug=slug)
        panel = selectors.connector_panel(connector=connector, now=timezone.now())
        days = self.DaySerializer(panel.health.days, many=True).data
        data = {
            "component": panel.health,
            "trading_pair": panel.trading_pair,
            "uptime_days": days,
            "latency_ms_hourly": panel.health.latency,
            "latest_results": panel.latest_results,
            "incidents": panel.incidents,
        }
        return Response(self.OutputSerializer(data, context={"request": request}).data)


class IncidentListApi(generics.ListAPIView):
    """Every incident, newest first."""

    serializer_class = IncidentSerializer

    def get_queryset(self) -> QuerySet[Incident]:
        return selectors.incident_list()
