"""The connector page's health panel: status, uptime, latency, checks, incidents."""

from __future__ import annotations

from connectors_registry.extension_points import Panel, connector_panels
from connectors_registry.models import Connector


@connector_panels.provide
def health_panel(connector: Connector) -> Panel:
    # The template reads its data through {% connector_health %} (health.selectors).
    return Panel(title="Health", template_name="health/_connector_panel.html", order=100)
