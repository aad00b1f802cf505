"""The simulated exchanges, one module each, and ``SIMULATED``: every one by name.

Each answers its REST routes and its WebSocket conversation in the shapes the real APIs use
(field names, nesting and encodings as in each exchange's public API docs and the mocked
responses of Hummingbot's own connector tests).
"""

from __future__ import annotations

from health.simulator.exchanges.base import Ctx, NotFound, Reply, Req, SimExchange
from health.simulator.exchanges.binance import Binance, BinancePerpetual
from health.simulator.exchanges.bitget import Bitget, BitgetPerpetual
from health.simulator.exchanges.bitmart import Bitmart
from health.simulator.exchanges.bitstamp import Bitstamp
from health.simulator.exchanges.bybit import Bybit, BybitPerpetual
from health.simulator.exchanges.coinbase import Coinbase
from health.simulator.exchanges.dydx import Dydx
from health.simulator.exchanges.gate_io import GateIo, GateIoPerpetual
from health.simulator.exchanges.gateway import Gateway
from health.simulator.exchanges.htx import Htx
from health.simulator.exchanges.hyperliquid import Hyperliquid, HyperliquidPerpetual
from health.simulator.exchanges.kraken import Kraken
from health.simulator.exchanges.kucoin import Kucoin, KucoinPerpetual
from health.simulator.exchanges.mexc import Mexc
from health.simulator.exchanges.okx import Okx, OkxPerpetual

SIMULATED: dict[str, SimExchange] = {
    exchange.name: exchange
    for exchange in (
        Binance(),
        BinancePerpetual(),
        Kucoin(),
        KucoinPerpetual(),
        Okx(),
        OkxPerpetual(),
        GateIo(),
        GateIoPerpetual(),
        Bybit(),
        BybitPerpetual(),
        Kraken(),
        Coinbase(),
        Htx(),
        Mexc(),
        Bitmart(),
        Bitget(),
        BitgetPerpetual(),
        Hyperliquid(),
        HyperliquidPerpetual(),
        Bitstamp(),
        Dydx(),
        Gateway(),
    )
}

__all__ = ["SIMULATED", "Ctx", "NotFound", "Reply", "Req", "SimExchange"]
