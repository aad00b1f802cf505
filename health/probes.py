"""Which bundled connector probes a check, at which endpoints, with which limits.

Endpoint precedence: staff's per-check URLs (admin), then ``HEALTH_ENDPOINT_OVERRIDES``, then
the simulator switch (``HEALTH_USE_SIMULATOR``), then the exchange's own URLs.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError

from connectors_registry.models import Connector, ConnectorType, Namespace
from core.outbound import HTTP_SCHEMES, WS_SCHEMES, outbound_url_check
from health.checks import CheckLimits
from health.connectors import BUNDLED, GATEWAY_PROBE, Endpoints, ExchangeConnector, Timeouts
from health.connectors.base import ProbeError
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
    return probe_is_monitored(enabled=check.enabled, probe_id=check.probe_id)


def probe_is_monitored(*, enabled: bool, probe_id: str) -> bool:
    """``check_is_monitored`` from the two columns it reads."""
    if not enabled or not probe_id:
        return False
    if probe_id == GATEWAY_PROBE:
        return bool(gateway_url())
    return probe_id in BUNDLED


def configured_endpoints(
    *, probe_id: str, connector_id: str = "", use_simulator: bool | None = None
) -> Endpoints:
    """HEALTH_ENDPOINT_OVERRIDES (by probe id, then by connector id), then the simulator
    switch, then the exchange's own: every endpoint but staff's per-check URLs. The sweep
    (``probe_endpoints``) and ``health_check --live`` (``use_simulator=False``) both use it."""
    if use_simulator is None:
        use_simulator = bool(settings.HEALTH_USE_SIMULATOR)
    if probe_id == GATEWAY_PROBE:
        rest, ws = gateway_url(), ""
    else:
        cls = BUNDLED[probe_id]
        rest, ws = cls.default_rest_url, cls.default_ws_url
        if use_simulator:
            base = settings.HEALTH_SIMULATOR_URL.rstrip("/")
            rest = f"{base}/{probe_id}"
            ws = base.replace("http://", "ws://").replace("https://", "wss://") + f"/{probe_id}/ws"
    overrides = settings.HEALTH_ENDPOINT_OVERRIDES
    for key in dict.fromkeys(filter(None, (probe_id, connector_id))):
        configured = overrides.get(key) or {}
        rest = configured.get("rest", rest)
        ws = configured.get("ws", ws)
    return Endpoints(rest_url=rest, ws_url=ws)


def probe_endpoints(*, check: HealthCheck) -> Endpoints:
    """Staff's per-check URLs, then HEALTH_ENDPOINT_OVERRIDES, then the simulator switch,
    then the exchange's own."""
    configured = configured_endpoints(
        probe_id=check.probe_id, connector_id=check.connector.connector_id
    )
    return Endpoints(
        rest_url=check.rest_url_override or configured.rest_url,
        ws_url=check.ws_url_override or configured.ws_url,
    )


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


def overrides_check(*, check: HealthCheck) -> None:
    """Staff's per-check URLs must still resolve to public addresses (``core.outbound``):
    checked before every run, since DNS can change after they were saved. Raises
    ``ProbeError`` saying which URL and why. Settings' endpoints are the operator's own and
    are not checked."""
    for label, url, schemes in (
        ("REST base URL", check.rest_url_override, HTTP_SCHEMES),
        ("WebSocket URL", check.ws_url_override, WS_SCHEMES),
    ):
        if not url:
            continue
        try:
            outbound_url_check(url, schemes=schemes)
        except ValidationError as exc:
            raise ProbeError(
                f"the check's {label} {url} is refused: {' '.join(exc.messages)}"
            ) from None


def probe_build(*, check: HealthCheck, deadline: float | None = None) -> ExchangeConnector:
    overrides_check(check=check)
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
