"""The connector page's poll history panel: every poll that voted on it, pending decisions."""

from __future__ import annotations

from connectors_registry.extension_points import Panel, connector_panels
from connectors_registry.models import Connector


@connector_panels.provide
def poll_history_panel(connector: Connector) -> Panel:
    # The template reads its data through {% connector_poll_history %} (governance.selectors).
    return Panel(
        title="Poll history", template_name="governance/_poll_history_panel.html", order=200
    )
