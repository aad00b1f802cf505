"""Filters shared by the bounty board and the API, so both accept the same query string."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from bounties.models import Bounty, BountyStatus, BountyType, Denomination


class BountyFilter(django_filters.FilterSet):
    connector = django_filters.CharFilter(
        method="by_connector", label="Connector or exchange (slug)"
    )
    type = django_filters.ChoiceFilter(
        field_name="bounty_type", choices=BountyType.choices, label="Type", empty_label="Any type"
    )
    denomination = django_filters.ChoiceFilter(
        choices=Denomination.choices, label="Denomination", empty_label="Any denomination"
    )
    status = django_filters.ChoiceFilter(
        choices=BountyStatus.choices, label="Status", empty_label="Any status"
    )
    assignee = django_filters.CharFilter(
        field_name="assignee__github_handle", lookup_expr="iexact", label="Assignee (GitHub)"
    )
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = Bounty
        fields: list[str] = []

    def by_connector(self, queryset: QuerySet[Bounty], name: str, value: str) -> QuerySet[Bounty]:
        """A connector's slug gives its bounties and its exchange's general ones; an
        exchange's slug gives all of the exchange's."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(connector__slug=value)
            | Q(connector__isnull=True, exchange__connectors__slug=value)
            | Q(exchange__slug=value)
        ).distinct()

    def search(self, queryset: QuerySet[Bounty], name: str, value: str) -> QuerySet[Bounty]:
        value = value.strip()[:100]
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value)
            | Q(tracker_id__iexact=value)
            | Q(exchange__name__icontains=value)
            | Q(connector__connector_id__icontains=value)
            | Q(subject_label__icontains=value)
        )
