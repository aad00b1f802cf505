"""Reads of the registry, with the joins each page needs done once."""

from __future__ import annotations

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
    return (
        Exchange.objects.prefetch_related(
            "chains",
            Prefetch("connectors", queryset=Connector.objects.order_by("connector_id", "sub_type")),
        )
        .annotate(connector_count=Count("connectors", distinct=True))
        .order_by(Lower("name"))
    )


def exchange_get(*, slug: str) -> Exchange:
    return get_object_or_404(exchange_list(), slug=slug)


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
