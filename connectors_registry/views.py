"""Registry pages: the connector list with filters, a connector (with the panels other apps
provide, and its timeline), a connector's timeline as Atom, an exchange."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
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

PAGE_SIZE = 100
TIMELINE_PAGE_SIZE = 25
FEED_SIZE = 50


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
    return render(
        request,
        "connectors_registry/connector_detail.html",
        {
            "connector": connector,
            "siblings": selectors.connector_siblings(connector=connector),
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
