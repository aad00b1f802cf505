"""Reads of the registry, with the joins each page needs done once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404

from connectors_registry.models import (
    Connector,
    ConnectorStatusChange,
    ConnectorType,
    Exchange,
    InclusionStatus,
)

# What a page of exchanges counts per exchange: the connectors of each type and status.
COUNTED_FIELDS = {
    "connectors__connector_type": ConnectorType.values,
    "connectors__status": InclusionStatus.values,
}


def connector_list() -> QuerySet[Connector]:
    return Connector.objects.select_related("exchange", "maintainer").order_by(
        Lower("exchange__name"), "connector_id", "sub_type"
    )


def connector_get(*, slug: str) -> Connector:
    queryset = Connector.objects.select_related("exchange", "maintainer").prefetch_related(
        "exchange__chains"
    )
    return get_object_or_404(queryset, slug=slug)


def connector_siblings(*, connector: Connector) -> QuerySet[Connector]:
    """The exchange's other connectors (spot beside perpetual, uniswap/amm beside /clmm)."""
    return (
        Connector.objects.filter(exchange_id=connector.exchange_id)
        .exclude(pk=connector.pk)
        .order_by("connector_id", "sub_type")
    )


def exchange_list() -> QuerySet[Exchange]:
    """Exchanges by name with their chains and, counted in the same query, their connectors
    by type and by status (``n_connectors``, ``n_<type>``, ``n_<status>``): a page of
    exchanges never loads their connectors. Counts are distinct, so a filter that joins
    connectors or chains again does not multiply them."""
    counts = {
        f"n_{value}": Count("connectors", filter=Q(**{field: value}), distinct=True)
        for field, values in COUNTED_FIELDS.items()
        for value in values
    }
    return (
        Exchange.objects.prefetch_related("chains")
        .annotate(n_connectors=Count("connectors", distinct=True), **counts)
        .order_by(Lower("name"), "name")
    )


def exchange_list_with_connectors() -> QuerySet[Exchange]:
    """Exchanges by name with their chains and connectors (the API nests them); the
    prefetch covers only the page being read."""
    return Exchange.objects.prefetch_related(
        "chains",
        Prefetch("connectors", queryset=Connector.objects.order_by("connector_id", "sub_type")),
    ).order_by(Lower("name"), "name")


@dataclass(frozen=True)
class ConnectorCount:
    """How many of an exchange's connectors have one type or one status."""

    field: str  # the registry filter that lists them: "type" or "status"
    value: str
    label: str
    count: int


@dataclass(frozen=True)
class ExchangeSummary:
    exchange: Exchange
    connectors: int
    by_type: list[ConnectorCount]
    by_status: list[ConnectorCount]


def exchange_summaries(*, exchanges: Iterable[Exchange]) -> list[ExchangeSummary]:
    """The counts ``exchange_list`` annotated, as labelled lists (no query); types and
    statuses the exchange has none of are left out."""
    return [
        ExchangeSummary(
            exchange=exchange,
            connectors=_annotated(exchange, "n_connectors"),
            by_type=_counts(exchange, "type", ConnectorType.choices),
            by_status=_counts(exchange, "status", InclusionStatus.choices),
        )
        for exchange in exchanges
    ]


def _counts(exchange: Exchange, field: str, choices: list[tuple[str, str]]) -> list[ConnectorCount]:
    counts = [
        ConnectorCount(
            field=field, value=value, label=label, count=_annotated(exchange, f"n_{value}")
        )
        for value, label in choices
    ]
    return [count for count in counts if count.count]


def _annotated(exchange: Exchange, name: str) -> int:
    """A count ``exchange_list`` annotated (an AttributeError for an exchange read
    otherwise, rather than a quiet zero)."""
    return int(getattr(exchange, name))


def exchange_get(*, slug: str) -> Exchange:
    """One exchange with its chains and its connector counts (as ``exchange_list``)."""
    return get_object_or_404(exchange_list(), slug=slug)


def exchange_connector_list(*, exchange: Exchange) -> QuerySet[Connector]:
    return Connector.objects.filter(exchange=exchange).order_by("connector_id", "sub_type")


def registry_counts() -> dict[str, int]:
    """Headline numbers for the registry page."""
    totals = Connector.objects.aggregate(
        connectors=Count("pk"),
        in_codebase=Count("pk", filter=Q(status=InclusionStatus.IN_CODEBASE)),
        clob_cex=Count("pk", filter=Q(connector_type=ConnectorType.CLOB_CEX)),
        clob_dex=Count("pk", filter=Q(connector_type=ConnectorType.CLOB_DEX)),
        amm_dex=Count("pk", filter=Q(connector_type=ConnectorType.AMM_DEX)),
    )
    totals["exchanges"] = Exchange.objects.count()
    totals["sponsors"] = Exchange.objects.filter(is_sponsor=True).count()
    return totals


def connector_status_change_list(
    *, connector: Connector, before: datetime | None, limit: int
) -> list[ConnectorStatusChange]:
    """The connector's newest inclusion-status changes strictly before ``before``."""
    changes = ConnectorStatusChange.objects.filter(connector=connector)
    if before is not None:
        changes = changes.filter(created_at__lt=before)
    return list(changes.order_by("-created_at", "-id")[:limit])
