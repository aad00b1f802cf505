"""Filters shared by the registry page and the API, so both accept the same query string."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet

from connectors_registry.models import (
    Connector,
    ConnectorType,
    Exchange,
    ExchangeKind,
    InclusionStatus,
    Namespace,
    SubType,
)
from core.filters import BooleanFilter

SPONSOR_WIDGET = forms.Select(
    choices=[("", "Any"), ("true", "Sponsors only"), ("false", "Non-sponsors")]
)


class ConnectorFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(
        field_name="connector_type",
        choices=ConnectorType.choices,
        label="Type",
        empty_label="Any type",
    )
    sub_type = django_filters.ChoiceFilter(
        choices=SubType.choices, label="Sub-type", empty_label="Any sub-type"
    )
    status = django_filters.ChoiceFilter(
        choices=InclusionStatus.choices, label="Status", empty_label="Any status"
    )
    namespace = django_filters.ChoiceFilter(
        choices=Namespace.choices, label="Namespace", empty_label="Any namespace"
    )
    sponsor = BooleanFilter(
        field_name="exchange__is_sponsor", label="Sponsor exchange", widget=SPONSOR_WIDGET
    )
    exchange = django_filters.CharFilter(field_name="exchange__slug", label="Exchange (slug)")
    chain = django_filters.CharFilter(
        field_name="exchange__chains__slug", label="Chain (slug)", distinct=True
    )
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = Connector
        fields: list[str] = []

    def search(self, queryset: QuerySet[Connector], name: str, value: str) -> QuerySet[Connector]:
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(
            Q(connector_id__icontains=value)
            | Q(exchange__name__icontains=value)
            | Q(maintainer__display_name__icontains=value)
            | Q(maintainer__github_handle__icontains=value)
        )


class ExchangeFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ExchangeKind.choices, empty_label="Any kind")
    type = django_filters.ChoiceFilter(
        field_name="connectors__connector_type",
        choices=ConnectorType.choices,
        distinct=True,
        label="Has a connector of type",
        empty_label="Any type",
    )
    sponsor = BooleanFilter(field_name="is_sponsor", widget=SPONSOR_WIDGET)
    chain = django_filters.CharFilter(field_name="chains__slug", distinct=True)
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Search")

    class Meta:
        model = Exchange
        fields: list[str] = []
