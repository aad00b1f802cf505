"""Health's events on a connector's timeline: incidents opened and resolved, maintenance."""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils.timesince import timesince

from connectors_registry.extension_points import TimelineEvent, TimelineQuery, connector_timeline
from health.models import Incident, MaintenanceWindow
from health.selectors import connector_health_history


@connector_timeline.provide
def health_timeline(query: TimelineQuery) -> list[TimelineEvent]:
    history = connector_health_history(
        connector=query.connector, before=query.before, limit=query.limit
    )
    page = query.connector.get_absolute_url()
    events = [
        *(_incident_opened(incident) for incident in history.incidents_opened),
        *(
            _incident_resolved(incident, resolved_at=incident.resolved_at)
            for incident in history.incidents_resolved
            if incident.resolved_at is not None
        ),
        *(_maintenance(window, url=page, started=True) for window in history.maintenance_started),
        *(_maintenance(window, url=page, started=False) for window in history.maintenance_ended),
    ]
    events.sort(key=lambda event: event.when, reverse=True)
    return events[: query.limit]


def _incident_opened(incident: Incident) -> TimelineEvent:
    severity = str(incident.get_severity_display())
    return TimelineEvent(
        when=incident.opened_at,
        kind="incident.opened",
        title=f"Incident opened: {incident.title}",
        summary=f"{severity}: {incident.cause}" if incident.cause else severity,
        url=incident.get_absolute_url(),
        app="health",
    )


def _incident_resolved(incident: Incident, *, resolved_at: datetime) -> TimelineEvent:
    return TimelineEvent(
        when=resolved_at,
        kind="incident.resolved",
        title=f"Incident resolved: {incident.title}",
        summary=f"Resolved after {timesince(incident.opened_at, resolved_at)}.",
        url=incident.get_absolute_url(),
        app="health",
    )


def _maintenance(window: MaintenanceWindow, *, url: str, started: bool) -> TimelineEvent:
    starts, ends = window.starts_at.astimezone(UTC), window.ends_at.astimezone(UTC)
    span = f"{starts:%d %b %Y %H:%M} to {ends:%d %b %Y %H:%M} UTC"
    return TimelineEvent(
        when=window.starts_at if started else window.ends_at,
        kind="maintenance.started" if started else "maintenance.ended",
        title=f"Maintenance {'started' if started else 'ended'}: {window.reason}",
        summary=f"Scheduled maintenance, {span}; no alerts are sent during it.",
        url=url,
        app="health",
    )
