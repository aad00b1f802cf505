"""The registry's own events on a connector's timeline: inclusion status changes."""

from __future__ import annotations

from connectors_registry import selectors
from connectors_registry.extension_points import TimelineEvent, TimelineQuery, connector_timeline
from connectors_registry.models import ConnectorStatusChange


@connector_timeline.provide
def registry_timeline(query: TimelineQuery) -> list[TimelineEvent]:
    changes = selectors.connector_status_change_list(
        connector=query.connector, before=query.before, limit=query.limit
    )
    url = query.connector.get_absolute_url()
    return [_status_changed(change, url=url) for change in changes]


def _status_changed(change: ConnectorStatusChange, *, url: str) -> TimelineEvent:
    to_status = change.get_to_status_display()
    title = (
        f"Inclusion status: {change.get_from_status_display()} → {to_status}"
        if change.from_status
        else f"Inclusion status: {to_status}"
    )
    source = str(change.get_source_display())
    if change.reference:
        source = f"{source} ({change.reference})"
    return TimelineEvent(
        when=change.created_at,
        kind="inclusion.changed",
        title=title,
        summary=f"{source}: {change.reason}" if change.reason else source,
        url=url,
        app="connectors_registry",
    )
