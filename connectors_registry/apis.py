"""Public read API for the registry (``/api/v1/``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_serializer
from rest_framework import generics, serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.fields import empty
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from connectors_registry import selectors
from connectors_registry.extension_points import TimelineEvent
from connectors_registry.filters import ConnectorFilter, ExchangeFilter
from connectors_registry.models import Chain, Connector, Exchange
from connectors_registry.timeline import (
    CURSOR_EXAMPLE,
    MAX_PAGE_SIZE,
    PAGE_SIZE,
    CursorError,
    connector_timeline_page,
    cursor_parse,
)


@extend_schema_serializer(component_name="MaintainerSummary")
class MaintainerSerializer(serializers.Serializer):
    display_name = serializers.CharField()
    github_handle = serializers.CharField()


class ConnectorListApi(generics.ListAPIView):
    """Connectors, filtered by ``type``, ``sub_type``, ``status``, ``sponsor``, ``namespace``,
    ``exchange``, ``chain`` and ``q``."""

    @extend_schema_serializer(component_name="Connector")
    class OutputSerializer(serializers.ModelSerializer):
        address = serializers.CharField(read_only=True)
        type = serializers.CharField(source="connector_type")
        exchange: serializers.SlugRelatedField[Exchange] = serializers.SlugRelatedField(
            slug_field="slug", read_only=True
        )
        exchange_name = serializers.CharField(source="exchange.name")
        sponsor = serializers.BooleanField(source="exchange.is_sponsor")
        maintainer = MaintainerSerializer(allow_null=True)
        docs_url = serializers.URLField(source="effective_docs_url")
        code_url = serializers.URLField()
        url = serializers.SerializerMethodField()

        class Meta:
            model = Connector
            fields = [
                "slug",
                "address",
                "connector_id",
                "namespace",
                "type",
                "sub_type",
                "exchange",
                "exchange_name",
                "status",
                "sponsor",
                "maintainer",
                "code_path",
                "code_url",
                "docs_url",
                "added_on",
                "removed_on",
                "url",
                "updated_at",
            ]

        def get_url(self, obj: Connector) -> str:
            request = self.context.get("request")
            path = obj.get_absolute_url()
            return request.build_absolute_uri(path) if request else path

    serializer_class = OutputSerializer
    filterset_class = ConnectorFilter

    def get_queryset(self) -> QuerySet[Connector]:
        return selectors.connector_list()


class ConnectorDetailApi(generics.RetrieveAPIView):
    serializer_class = ConnectorListApi.OutputSerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Connector]:
        return selectors.connector_list()


@extend_schema_serializer(component_name="ExchangeConnector")
class ExchangeConnectorSerializer(serializers.ModelSerializer):
    address = serializers.CharField(read_only=True)
    type = serializers.CharField(source="connector_type")

    class Meta:
        model = Connector
        fields = ["slug", "address", "type", "sub_type", "status"]


class ExchangeListApi(generics.ListAPIView):
    """Exchanges with their connectors, filtered by ``kind``, ``type``, ``sponsor``, ``chain``
    and ``q``."""

    @extend_schema_serializer(component_name="Exchange")
    class OutputSerializer(serializers.ModelSerializer):
        chains: serializers.SlugRelatedField[Chain] = serializers.SlugRelatedField(
            slug_field="name", many=True, read_only=True
        )
        sponsor = serializers.BooleanField(source="is_sponsor")
        connectors = ExchangeConnectorSerializer(many=True, read_only=True)

        class Meta:
            model = Exchange
            fields = [
                "slug",
                "name",
                "kind",
                "website",
                "docs_url",
                "chains",
                "sponsor",
                "connectors",
            ]

    serializer_class = OutputSerializer
    filterset_class = ExchangeFilter

    def get_queryset(self) -> QuerySet[Exchange]:
        return selectors.exchange_list_with_connectors()


class ExchangeDetailApi(generics.RetrieveAPIView):
    serializer_class = ExchangeListApi.OutputSerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Exchange]:
        return selectors.exchange_list_with_connectors()


@extend_schema_field(OpenApiTypes.DATETIME)
class CursorField(serializers.CharField):
    """An ISO 8601 time with a time zone, as the timeline's ``before`` cursor."""

    def get_value(self, dictionary: Any) -> Any:
        # A query string's empty value is refused like any other, not read as "absent".
        return dictionary.get(self.field_name, empty)

    def to_internal_value(self, data: Any) -> datetime:  # type: ignore[override]
        try:
            return cursor_parse(str(super().to_internal_value(data)))
        except CursorError as exc:
            raise serializers.ValidationError(str(exc)) from None


class ConnectorTimelineApi(APIView):
    """Everything that happened to a connector, newest first: inclusion status changes
    (registry), polls that had it as a choice and their results (governance), its pots'
    entries and its bounties' moves (bounties), incidents and maintenance (health).

    Pages by cursor: ask again with ``before`` set to the answer's ``next_before`` (or
    follow ``next``) for the older events; ``next_before`` is null on the last page. A page
    never splits the events of one instant, so pages have no gaps and no repeats."""

    class InputSerializer(serializers.Serializer):
        before = CursorField(
            required=False,
            help_text=f"Only events strictly before this time (ISO 8601 with a time zone, "
            f"e.g. {CURSOR_EXAMPLE}); the answer's next_before for the next page.",
        )
        limit = serializers.IntegerField(
            required=False,
            min_value=1,
            max_value=MAX_PAGE_SIZE,
            default=PAGE_SIZE,
            help_text="Events per page (at most; more only when one instant holds more).",
        )

    @extend_schema_serializer(component_name="ConnectorTimeline")
    class OutputSerializer(serializers.Serializer):
        @extend_schema_serializer(component_name="TimelineEvent")
        class EventSerializer(serializers.Serializer):
            when = serializers.DateTimeField()
            kind = serializers.CharField(
                help_text="Stable name of what happened, e.g. incident.opened, "
                "poll.finalized, pot.allocation, bounty.assigned, inclusion.changed."
            )
            title = serializers.CharField()
            summary = serializers.CharField()
            url = serializers.SerializerMethodField()
            app = serializers.CharField(help_text="The app that reported it.")

            @extend_schema_field(OpenApiTypes.URI)
            def get_url(self, event: TimelineEvent) -> str:
                request = self.context.get("request")
                return request.build_absolute_uri(event.url) if request else event.url

        connector = serializers.CharField(help_text="The connector's slug.")
        events = EventSerializer(many=True)
        next_before = serializers.DateTimeField(
            allow_null=True,
            help_text="The before cursor of the next, older page; null on the last.",
        )
        next = serializers.URLField(allow_null=True, help_text="The next, older page.")

    @extend_schema(parameters=[InputSerializer], responses={200: OutputSerializer})
    def get(self, request: Request, slug: str) -> Response:
        repeated = [n for n in ("before", "limit") if len(request.query_params.getlist(n)) > 1]
        if repeated:
            raise ValidationError({name: [f"Give {name} once."] for name in repeated})
        connector = selectors.connector_list().filter(slug=slug).first()
        if connector is None:
            raise NotFound(f"No connector {slug!r}.")
        query = self.InputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        limit: int = query.validated_data["limit"]
        page = connector_timeline_page(
            connector=connector, before=query.validated_data.get("before"), limit=limit
        )
        next_url = None
        if page.next_cursor is not None:
            params = {"before": page.next_cursor}
            if "limit" in request.query_params:
                params["limit"] = str(limit)
            next_url = request.build_absolute_uri(f"{request.path}?{urlencode(params)}")
        data = {
            "connector": connector.slug,
            "events": page.events,
            "next_before": page.next_before,
            "next": next_url,
        }
        return Response(self.OutputSerializer(data, context={"request": request}).data)
