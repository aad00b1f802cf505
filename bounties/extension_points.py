"""What bounties ask other apps (core/extension_points.py explains the pattern).

``connector_green``: has a connector been operational, and since when? Health answers it
(health/providers/green_days.py); bounties never import health. A merged bounty tied to a
connector waits for ``BOUNTY_PAYOUT_GREEN_DAYS`` of green before it is payable.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from connectors_registry.models import Connector
from core.extension_points import ExtensionPoint


@dataclass(frozen=True)
class GreenReport:
    """One connector's health as far as payouts care."""

    monitored: bool  # False: no check runs, so no green days can be counted
    operational_since: datetime | None  # None: not operational now


connector_green: ExtensionPoint[Connector, GreenReport] = ExtensionPoint(
    "bounties.connector_green", "Whether a connector is operational now, and since when."
)
