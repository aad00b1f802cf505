"""Health pages: the public status page, an incident, badges, the Atom feed, /metrics."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.http import require_GET

from core.cache import visitor_copy
from health import selectors
from health.badges import badge_svg
from health.metrics import render_metrics
from health.models import Incident


@transaction.non_atomic_requests  # read-only: no transaction around a cached page
@require_GET
@visitor_copy(
    fresh=lambda: settings.HEALTH_STATUS_PAGE_CACHE_SECONDS,
    stale=lambda: settings.HEALTH_STATUS_PAGE_STALE_SECONDS,
)
def status_page(request: HttpRequest) -> HttpResponse:
    """Every connector grouped by type. Visitors share one cached copy, rebuilt by one
    request at a time (the others get the previous copy meanwhile); each group's table is a
    fragment cached until one of its rows changes."""
    context = {
        "page": selectors.status_page(),
        "fragment_seconds": settings.HEALTH_STATUS_FRAGMENT_CACHE_SECONDS,
    }
    return render(request, "health/status_page.html", context)


@require_GET
def incident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    incident = selectors.incident_get(pk=pk)
    return render(request, "health/incident_detail.html", {"incident": incident})


@transaction.non_atomic_requests
@require_GET
def badge(request: HttpRequest, slug: str) -> HttpResponse:
    """A shields-style SVG of a connector's status, cached five minutes by clients."""
    health = selectors.badge_health(slug=slug)
    response = HttpResponse(
        badge_svg(label=health.label, status=health.status), content_type="image/svg+xml"
    )
    response["Cache-Control"] = "public, max-age=300"
    return response


@transaction.non_atomic_requests
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    body, content_type = render_metrics()
    return HttpResponse(body, content_type=content_type)


class IncidentFeed(Feed):
    feed_type = Atom1Feed
    title = "Connector incidents"
    subtitle = "Connector Hub: incidents of Hummingbot connectors, as they open and resolve."
    description_template = "health/feed_incident_description.html"

    def link(self) -> str:
        return reverse("health:status")

    def items(self) -> list[Incident]:
        return list(selectors.incident_list()[:50])

    def item_title(self, item: Incident) -> str:
        state = "resolved" if item.resolved_at else "ongoing"
        return f"{item.title} ({state})"

    def item_link(self, item: Incident) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Incident) -> datetime:
        return item.opened_at

    def item_updateddate(self, item: Incident) -> datetime:
        return item.resolved_at or item.opened_at

    def item_guid(self, item: Incident) -> str:
        return f"connector-hub-incident-{item.pk}"

    def item_guid_is_permalink(self, item: Incident) -> bool:
        return False
