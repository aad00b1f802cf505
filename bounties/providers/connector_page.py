"""The connector page's pot and bounty panels."""

from __future__ import annotations

from connectors_registry.extension_points import Panel, connector_panels
from connectors_registry.models import Connector


@connector_panels.provide
def bounty_panels(connector: Connector) -> Panel:
    # The template reads its data through {% bounty_panels %} (bounties.selectors).
    return Panel(
        title="Pot and bounties", template_name="bounties/_connector_panels.html", order=300
    )
