"""Which endpoints a check uses: staff's per-check URLs, then HEALTH_ENDPOINT_OVERRIDES, then
the simulator switch, then the exchange's own; and which checks are monitored at all."""

import pytest

from connectors_registry.models import ConnectorType, Namespace, SubType
from health.connectors import Endpoints, GatewayConnector
from health.probes import (
    check_is_monitored,
    check_trading_pair,
    configured_endpoints,
    probe_build,
    probe_endpoints,
)
from tests.factories import ConnectorFactory
from tests.health.factories import HealthCheckFactory

pytestmark = pytest.mark.django_db


def test_default_endpoints_are_the_exchange_own():
    check = HealthCheckFactory()

    endpoints = probe_endpoints(check=check)

    assert endpoints.rest_url == "https://api.binance.com"
    assert endpoints.ws_url == "wss://stream.binance.com:9443/ws"


def test_simulator_switch_points_every_probe_at_the_simulator(settings):
    settings.HEALTH_USE_SIMULATOR = True
    settings.HEALTH_SIMULATOR_URL = "http://127.0.0.1:8765"

    endpoints = probe_endpoints(check=HealthCheckFactory())

    assert endpoints.rest_url == "http://127.0.0.1:8765/binance"
    assert endpoints.ws_url == "ws://127.0.0.1:8765/binance/ws"


def test_settings_overrides_beat_the_simulator(settings):
    settings.HEALTH_USE_SIMULATOR = True
    settings.HEALTH_ENDPOINT_OVERRIDES = {"binance": {"rest": "https://mirror.example"}}

    endpoints = probe_endpoints(check=HealthCheckFactory())

    assert endpoints.rest_url == "https://mirror.example"
    assert endpoints.ws_url.endswith("/binance/ws")  # only what is overridden changes


def test_configured_endpoints_without_the_simulator_are_overrides_or_the_exchange_own(settings):
    """What ``health_check --live`` uses: the same overrides as the sweep, no simulator."""
    settings.HEALTH_USE_SIMULATOR = True
    settings.HEALTH_ENDPOINT_OVERRIDES = {"binance": {"rest": "https://mirror.example"}}

    binance = configured_endpoints(probe_id="binance", use_simulator=False)
    okx = configured_endpoints(probe_id="okx", use_simulator=False)

    assert binance == Endpoints("https://mirror.example", "wss://stream.binance.com:9443/ws")
    assert okx.rest_url == "https://www.okx.com"


def test_admin_urls_beat_everything(settings):
    settings.HEALTH_ENDPOINT_OVERRIDES = {"binance": {"rest": "https://mirror.example"}}
    check = HealthCheckFactory(
        rest_url_override="https://testnet.example", ws_url_override="wss://testnet.example/ws"
    )

    endpoints = probe_endpoints(check=check)

    assert (endpoints.rest_url, endpoints.ws_url) == (
        "https://testnet.example",
        "wss://testnet.example/ws",
    )


def amm_check():  # type: ignore[no-untyped-def]
    connector = ConnectorFactory(
        connector_id="uniswap",
        namespace=Namespace.GATEWAY,
        connector_type=ConnectorType.AMM_DEX,
        sub_type=SubType.CLMM,
    )
    return HealthCheckFactory(connector=connector, probe_id="gateway")


def test_amm_connectors_are_monitored_only_with_a_gateway(settings):
    check = amm_check()
    settings.GATEWAY_URL = ""
    assert not check_is_monitored(check=check)

    settings.GATEWAY_URL = "http://gateway.internal:15888"
    assert check_is_monitored(check=check)
    probe = probe_build(check=check)
    assert isinstance(probe, GatewayConnector)
    assert probe.endpoints.rest_url == "http://gateway.internal:15888"
    assert (probe.connector_name, probe.trading_type) == ("uniswap", "clmm")


def test_simulator_switch_also_simulates_gateway(settings):
    settings.HEALTH_USE_SIMULATOR = True
    check = amm_check()

    assert check_is_monitored(check=check)
    assert probe_endpoints(check=check).rest_url.endswith("/gateway")


def test_trading_pair_defaults_to_the_connectors_own():
    assert check_trading_pair(check=HealthCheckFactory()) == "BTC-USDT"
    kraken = HealthCheckFactory(connector=ConnectorFactory(connector_id="kraken"))
    assert check_trading_pair(check=kraken) == "BTC-USD"
    custom = HealthCheckFactory(
        connector=ConnectorFactory(connector_id="okx"), trading_pair="ETH-USDT"
    )
    assert check_trading_pair(check=custom) == "ETH-USDT"
