"""Public read API for the registry (``/api/v1/``)."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import generics, serializers

from connectors_registry import selectors
from connectors_registry.filters import ConnectorFilter, ExchangeFilter
from connectors_registry.models import Chain, Connector, Exchange


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
        return selectors.exchange_list()


class ExchangeDetailApi(generics.RetrieveAPIView):
    serializer_class = ExchangeListApi.OutputSerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Exchange]:
        return selectors.exchange_list()
