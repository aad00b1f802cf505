"""Health answers bounties' question: is this connector operational, since when?"""

from __future__ import annotations

from bounties.extension_points import GreenReport, connector_green
from connectors_registry.models import Connector
from health.models import HealthCheck, HealthStatus
from health.probes import check_is_monitored


@connector_green.provide
def health_green_report(connector: Connector) -> GreenReport:
    check = HealthCheck.objects.filter(connector=connector).first()
    if check is None or not check_is_monitored(check=check):
        return GreenReport(monitored=False, operational_since=None)
    if check.status != HealthStatus.OPERATIONAL:
        return GreenReport(monitored=True, operational_since=None)
    return GreenReport(monitored=True, operational_since=check.status_changed_at)
