"""Registry pages: the connector list with filters, a connector, an exchange."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from connectors_registry import selectors
from connectors_registry.filters import ConnectorFilter, ExchangeFilter

PAGE_SIZE = 100


def registry(request: HttpRequest) -> HttpResponse:
    connector_filter = ConnectorFilter(request.GET, queryset=selectors.connector_list())
    connectors = (
        connector_filter.qs if connector_filter.is_valid() else selectors.connector_list().none()
    )
    page = Paginator(connectors, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "connectors_registry/registry.html",
        {
            "filter": connector_filter,
            "page": page,
            "counts": selectors.registry_counts(),
            "query": query.urlencode(),
            "filtered": any(v for k, v in request.GET.items() if k != "page"),
        },
    )


def connector_detail(request: HttpRequest, slug: str) -> HttpResponse:
    connector = selectors.connector_get(slug=slug)
    return render(
        request,
        "connectors_registry/connector_detail.html",
        {
            "connector": connector,
            "siblings": selectors.connector_siblings(connector=connector),
            "status_changes": connector.status_changes.select_related("actor")[:20],
        },
    )


def exchange_list(request: HttpRequest) -> HttpResponse:
    exchange_filter = ExchangeFilter(request.GET, queryset=selectors.exchange_list())
    exchanges = (
        exchange_filter.qs if exchange_filter.is_valid() else selectors.exchange_list().none()
    )
    return render(
        request,
        "connectors_registry/exchange_list.html",
        {"filter": exchange_filter, "exchanges": exchanges},
    )


def exchange_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return render(
        request,
        "connectors_registry/exchange_detail.html",
        {"exchange": selectors.exchange_get(slug=slug)},
    )
