"""Which bundled connector probes a check, at which endpoints, with which limits.

Endpoint precedence: staff's per-check URLs (admin), then ``HEALTH_ENDPOINT_OVERRIDES``, then
the simulator switch (``HEALTH_USE_SIMULATOR``), then the exchange's own URLs.
"""

from __future__ import annotations

from django.conf import settings

from connectors_registry.models import Connector, ConnectorType, Namespace
from health.checks import CheckLimits
from health.connectors import BUNDLED, GATEWAY_PROBE, Endpoints, ExchangeConnector, Timeouts
from health.connectors.gateway import GatewayConnector
from health.models import HealthCheck


def default_probe_id(*, connector: Connector) -> str:
    """The bundled connector for a registry connector: its own id for client connectors,
    Gateway for AMM DEX connectors, none otherwise (not monitored)."""
    if connector.namespace == Namespace.CLIENT and connector.connector_id in BUNDLED:
        return connector.connector_id
    if (
        connector.namespace == Namespace.GATEWAY
        and connector.connector_type == ConnectorType.AMM_DEX
    ):
        return GATEWAY_PROBE
    return ""


def gateway_url() -> str:
    if settings.GATEWAY_URL:
        return str(settings.GATEWAY_URL)
    if settings.HEALTH_USE_SIMULATOR:
        return f"{settings.HEALTH_SIMULATOR_URL.rstrip('/')}/{GATEWAY_PROBE}"
    return ""


def check_is_monitored(*, check: HealthCheck) -> bool:
    """Enabled, with a bundled connector, and (for AMM DEX) a Gateway to ask."""
    if not check.enabled or not check.probe_id:
        return False
    if check.probe_id == GATEWAY_PROBE:
        return bool(gateway_url())
    return check.probe_id in BUNDLED


def probe_endpoints(*, check: HealthCheck) -> Endpoints:
    """Staff's per-check URLs, then HEALTH_ENDPOINT_OVERRIDES, then the simulator switch,
    then the exchange's own."""
    probe_id = check.probe_id
    if probe_id == GATEWAY_PROBE:
        rest, ws = gateway_url(), ""
    else:
        cls = BUNDLED[probe_id]
        rest, ws = cls.default_rest_url, cls.default_ws_url
        if settings.HEALTH_USE_SIMULATOR:
            base = settings.HEALTH_SIMULATOR_URL.rstrip("/")
            rest = f"{base}/{probe_id}"
            ws = base.replace("http://", "ws://").replace("https://", "wss://") + f"/{probe_id}/ws"
    overrides = settings.HEALTH_ENDPOINT_OVERRIDES
    for key in (probe_id, check.connector.connector_id):
        configured = overrides.get(key) or {}
        rest = configured.get("rest", rest)
        ws = configured.get("ws", ws)
    return Endpoints(rest_url=check.rest_url_override or rest, ws_url=check.ws_url_override or ws)


def probe_timeouts() -> Timeouts:
    return Timeouts(
        connect=settings.HEALTH_HTTP_TIMEOUT,
        read=settings.HEALTH_HTTP_TIMEOUT,
        ws_message=settings.HEALTH_WS_TIMEOUT,
    )


def check_limits() -> CheckLimits:
    return CheckLimits(
        max_clock_skew_seconds=settings.HEALTH_MAX_CLOCK_SKEW_SECONDS,
        max_data_age_seconds=settings.HEALTH_MAX_DATA_AGE_SECONDS,
        degraded_latency_ms=settings.HEALTH_DEGRADED_LATENCY_MS,
    )


def probe_build(*, check: HealthCheck, deadline: float | None = None) -> ExchangeConnector:
    endpoints = probe_endpoints(check=check)
    if check.probe_id == GATEWAY_PROBE:
        return GatewayConnector(
            connector_name=check.connector.connector_id,
            trading_type=check.connector.sub_type,
            endpoints=endpoints,
            timeouts=probe_timeouts(),
            deadline=deadline,
        )
    cls = BUNDLED[check.probe_id]
    return cls(endpoints=endpoints, timeouts=probe_timeouts(), deadline=deadline)


def check_trading_pair(*, check: HealthCheck) -> str:
    if check.trading_pair:
        return check.trading_pair
    if check.probe_id in BUNDLED:
        return BUNDLED[check.probe_id].default_trading_pair
    return ""
