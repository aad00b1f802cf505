"""What the registry asks of other apps (core/extension_points.py): the panels of a
connector's page and the events of a connector's timeline.

The registry depends on nothing of ours; health, governance and bounties answer here from a
module of their ``providers`` package (``<app>/providers/connector_page.py`` and
``<app>/providers/connector_timeline.py``). With an app not installed its panels and events
are simply absent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors_registry.models import Connector
from core.extension_points import ExtensionPoint


@dataclass(frozen=True)
class Panel:
    """A section of the connector page, rendered with ``template_name``.

    The template sees the page's context (``connector``, ``request``...) plus ``context``.
    Panels show in ascending ``order``; the registry's own sections come before (registry
    facts) and after (inclusion history, timeline) all of them.
    """

    title: str
    template_name: str
    context: dict[str, Any] = field(default_factory=dict)
    order: int = 100


connector_panels: ExtensionPoint[Connector, Panel] = ExtensionPoint(
    "connectors_registry.connector_panels",
    "Sections of a connector's page (health, poll history, pot and bounties...).",
)


@dataclass(frozen=True)
class TimelineQuery:
    """Ask for the connector's ``limit`` newest events strictly before ``before`` (no bound
    when None). A provider returns fewer only when it has no more: the registry reads a short
    answer as "nothing older" when it pages. Among events of one instant at the cut, any may
    be left out; the registry asks again when it needs them."""

    connector: Connector
    before: datetime | None = None
    limit: int = 50


@dataclass(frozen=True)
class TimelineEvent:
    """One thing that happened to a connector.

    ``kind`` is a stable dotted name (``incident.opened``, ``bounty.assigned``) that clients
    may filter on; ``url`` is an absolute path on this site; ``app`` names the app that
    reported it. ``when`` is timezone-aware.
    """

    when: datetime
    kind: str
    title: str
    summary: str
    url: str
    app: str


connector_timeline: ExtensionPoint[TimelineQuery, list[TimelineEvent]] = ExtensionPoint(
    "connectors_registry.connector_timeline",
    "Events in a connector's history (status changes, polls, pot entries, bounties, "
    "incidents, maintenance), each provider's newest first.",
)
