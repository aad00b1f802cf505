"""Registry pages: the connector list with filters, a connector (with the panels other apps
provide, and its timeline), a connector's timeline as Atom, the exchange list, an exchange.

Every list that grows with the registry is paged, so a page costs the same few queries at
58 connectors or 1,000. A page number that is not one, or is past the last page, shows the
first or the last page (``Paginator.get_page``), as on the site's other paged pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape

from connectors_registry import selectors
from connectors_registry.extension_points import TimelineEvent, connector_panels
from connectors_registry.filters import ConnectorFilter, ExchangeFilter
from connectors_registry.models import Connector
from connectors_registry.timeline import (
    CursorError,
    connector_timeline_page,
    cursor_parse,
    timeline_event_tag,
)
from core.cache import visitor_copy

PAGE_SIZE = 100
EXCHANGE_PAGE_SIZE = 48  # cards: fills rows of 2, 3 or 4
EXCHANGE_CONNECTOR_PAGE_SIZE = 100
SIBLINGS_SHOWN = 12
TIMELINE_PAGE_SIZE = 25
FEED_SIZE = 50


def _paged(request: HttpRequest, items: QuerySet[Any], size: int) -> dict[str, Any]:
    """The requested page of ``items``, the query string that keeps the filters in the page
    links (``query``), and whether any filter is set (``filtered``)."""
    query = request.GET.copy()
    query.pop("page", None)
    page = Paginator(items, size).get_page(request.GET.get("page"))
    return {
        "page": page,
        "query": query.urlencode(),
        "filtered": any(value for value in query.values()),
    }


def registry(request: HttpRequest) -> HttpResponse:
    connector_filter = ConnectorFilter(request.GET, queryset=selectors.connector_list())
    connectors = (
        connector_filter.qs if connector_filter.is_valid() else selectors.connector_list().none()
    )
    return render(
        request,
        "connectors_registry/registry.html",
        {
            "filter": connector_filter,
            "counts": selectors.registry_counts(),
            **_paged(request, connectors, PAGE_SIZE),
        },
    )


@transaction.non_atomic_requests  # read-only: no transaction around a shared copy
@visitor_copy(
    fresh=lambda: settings.VISITOR_PAGE_CACHE_SECONDS,
    stale=lambda: settings.VISITOR_PAGE_STALE_SECONDS,
)
def connector_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A connector with every app's panel and its timeline; visitors share a copy."""
    connector = selectors.connector_get(slug=slug)
    timeline_error = ""
    before: datetime | None = None
    if cursor := request.GET.get("before", "").strip():
        try:
            before = cursor_parse(cursor)
        except CursorError as exc:
            timeline_error = str(exc)
    timeline = (
        None
        if timeline_error
        else connector_timeline_page(connector=connector, before=before, limit=TIMELINE_PAGE_SIZE)
    )
    siblings = list(selectors.connector_siblings(connector=connector)[: SIBLINGS_SHOWN + 1])
    return render(
        request,
        "connectors_registry/connector_detail.html",
        {
            "connector": connector,
            "siblings": siblings[:SIBLINGS_SHOWN],
            "more_siblings": len(siblings) > SIBLINGS_SHOWN,
            "connector_page_panels": sorted(
                connector_panels.collect(connector), key=lambda panel: panel.order
            ),
            "timeline": timeline,
            "timeline_error": timeline_error,
        },
        status=400 if timeline_error else 200,
    )


@dataclass(frozen=True)
class FeedSubject:
    connector: Connector
    host: str


@dataclass(frozen=True)
class FeedEntry:
    event: TimelineEvent
    id: str


class ConnectorTimelineFeed(Feed):
    """A connector's timeline as Atom: the newest events of every app."""

    feed_type = Atom1Feed

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> FeedSubject:
        connector = selectors.connector_get(slug=kwargs["slug"])
        return FeedSubject(connector=connector, host=request.get_host())

    def title(self, obj: FeedSubject) -> str:
        return f"{obj.connector.address}: timeline"

    def subtitle(self, obj: FeedSubject) -> str:
        return (
            f"{settings.SITE_NAME}: everything that happens to the {obj.connector.address} "
            "connector — inclusion, polls, pot, bounties, incidents, maintenance."
        )

    def link(self, obj: FeedSubject) -> str:
        return obj.connector.get_absolute_url()

    def author_name(self) -> str:
        return str(settings.SITE_NAME)

    def items(self, obj: FeedSubject) -> list[FeedEntry]:
        page = connector_timeline_page(connector=obj.connector, limit=FEED_SIZE)
        return [
            FeedEntry(event=event, id=timeline_event_tag(event, host=obj.host))
            for event in page.events
        ]

    def item_title(self, item: FeedEntry) -> str:
        return item.event.title

    def item_description(self, item: FeedEntry) -> str:
        return escape(item.event.summary)  # Atom's summary is type="html"

    def item_link(self, item: FeedEntry) -> str:
        return item.event.url

    def item_guid(self, item: FeedEntry) -> str:
        return item.id

    def item_guid_is_permalink(self, item: FeedEntry) -> bool:
        return False

    def item_pubdate(self, item: FeedEntry) -> datetime:
        return item.event.when

    def item_updateddate(self, item: FeedEntry) -> datetime:
        return item.event.when

    def item_categories(self, item: FeedEntry) -> list[str]:
        return [item.event.kind]


def exchange_list(request: HttpRequest) -> HttpResponse:
    """Exchanges as cards with their connectors counted by type and status; the connectors
    themselves are on each exchange's page."""
    exchange_filter = ExchangeFilter(request.GET, queryset=selectors.exchange_list())
    exchanges = (
        exchange_filter.qs if exchange_filter.is_valid() else selectors.exchange_list().none()
    )
    paged = _paged(request, exchanges, EXCHANGE_PAGE_SIZE)
    return render(
        request,
        "connectors_registry/exchange_list.html",
        {
            "filter": exchange_filter,
            "summaries": selectors.exchange_summaries(exchanges=paged["page"].object_list),
            **paged,
        },
    )


def exchange_detail(request: HttpRequest, slug: str) -> HttpResponse:
    exchange = selectors.exchange_get(slug=slug)
    connectors = selectors.exchange_connector_list(exchange=exchange)
    return render(
        request,
        "connectors_registry/exchange_detail.html",
        {
            "exchange": exchange,
            "summary": selectors.exchange_summaries(exchanges=[exchange])[0],
            **_paged(request, connectors, EXCHANGE_CONNECTOR_PAGE_SIZE),
        },
    )
