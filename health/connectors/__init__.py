"""Bundled connectors: public market-data probes, one per Hummingbot connector id."""

from __future__ import annotations

from health.connectors.base import (
    Endpoints,
    ExchangeConnector,
    ExchangeOutage,
    Fault,
    Market,
    NetworkError,
    OrderBook,
    ProbeError,
    StreamKind,
    StreamMessage,
    SystemStatus,
    Timeouts,
)
from health.connectors.binance import Binance, BinancePerpetual
from health.connectors.bitget import Bitget, BitgetPerpetual
from health.connectors.bitmart import Bitmart
from health.connectors.bitstamp import Bitstamp
from health.connectors.bybit import Bybit, BybitPerpetual
from health.connectors.coinbase import CoinbaseAdvancedTrade
from health.connectors.dydx import DydxV4Perpetual
from health.connectors.gate_io import GateIo, GateIoPerpetual
from health.connectors.gateway import GatewayConnector
from health.connectors.htx import Htx
from health.connectors.hyperliquid import Hyperliquid, HyperliquidPerpetual
from health.connectors.kraken import Kraken
from health.connectors.kucoin import Kucoin, KucoinPerpetual
from health.connectors.mexc import Mexc
from health.connectors.okx import Okx, OkxPerpetual

GATEWAY_PROBE = "gateway"

BUNDLED: dict[str, type[ExchangeConnector]] = {
    cls.connector_id: cls
    for cls in (
        Binance,
        BinancePerpetual,
        Kucoin,
        KucoinPerpetual,
        Okx,
        OkxPerpetual,
        GateIo,
        GateIoPerpetual,
        Bybit,
        BybitPerpetual,
        Kraken,
        CoinbaseAdvancedTrade,
        Htx,
        Mexc,
        Bitmart,
        Bitget,
        BitgetPerpetual,
        Hyperliquid,
        HyperliquidPerpetual,
        Bitstamp,
        DydxV4Perpetual,
    )
}

PROBE_CHOICES = [(probe_id, probe_id) for probe_id in sorted(BUNDLED)] + [
    (GATEWAY_PROBE, "Gateway (AMM DEX)")
]


def probe_class(probe_id: str) -> type[ExchangeConnector]:
    if probe_id == GATEWAY_PROBE:
        return GatewayConnector
    try:
        return BUNDLED[probe_id]
    except KeyError:
        raise ProbeError(f"no bundled connector named {probe_id!r}") from None


__all__ = [
    "BUNDLED",
    "GATEWAY_PROBE",
    "PROBE_CHOICES",
    "Endpoints",
    "ExchangeConnector",
    "ExchangeOutage",
    "Fault",
    "GatewayConnector",
    "Market",
    "NetworkError",
    "OrderBook",
    "ProbeError",
    "StreamKind",
    "StreamMessage",
    "SystemStatus",
    "Timeouts",
    "probe_class",
]
