"""AMM DEX connectors (``uniswap/clmm``, ``jupiter/router``, ...) through Hummingbot Gateway.

Gateway has no order book and no public stream. Its probe checks that Gateway is up, that
the connector and trading type are configured, and prices a small swap both ways: the sell
quote is the bid, the buy quote the ask, so a two-sided "book" with a positive spread is
what a healthy AMM route looks like.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from health.connectors.base import (
    Endpoints,
    ExchangeConnector,
    Market,
    OrderBook,
    ProbeError,
    StreamMessage,
    Timeouts,
)

# What to price on each chain when the check names no pair.
DEFAULT_PAIRS = {"solana": "SOL-USDC", "ethereum": "WETH-USDC"}
PREFERRED_NETWORKS = ("mainnet-beta", "mainnet")
QUOTE_AMOUNT = "0.1"


class GatewayConnector(ExchangeConnector):
    connector_id = "gateway"
    default_rest_url = "http://localhost:15888"
    default_ws_url = ""
    default_trading_pair = ""
    has_server_time = False
    has_stream = False
    gateway_default_pairs: ClassVar[dict[str, str]] = DEFAULT_PAIRS

    def __init__(
        self,
        *,
        connector_name: str,
        trading_type: str,
        endpoints: Endpoints | None = None,
        timeouts: Timeouts | None = None,
        deadline: float | None = None,
    ) -> None:
        super().__init__(endpoints=endpoints, timeouts=timeouts, deadline=deadline)
        self.connector_name = connector_name
        self.trading_type = trading_type

    def server_time(self) -> datetime | None:
        payload = self.get_json("/")
        if not isinstance(payload, dict) or payload.get("status") != "ok":
            raise ProbeError(f"Gateway is not ready: {str(payload)[:120]!r}")
        return None

    def markets(self) -> list[Market]:
        configured = self.get_json("/config/connectors")["connectors"]
        entry = next((c for c in configured if c["name"] == self.connector_name), None)
        address = f"{self.connector_name}/{self.trading_type}"
        if entry is None:
            raise ProbeError(f"{address} is not configured in Gateway")
        if self.trading_type not in entry["trading_types"]:
            raise ProbeError(f"{address}: Gateway offers only {', '.join(entry['trading_types'])}")
        networks = entry["networks"]
        network = next((n for n in PREFERRED_NETWORKS if n in networks), networks[0])
        chain = entry["chain"]
        default = self.gateway_default_pairs.get(chain, "")
        return [
            Market(
                symbol=default,
                trading_pair=default,
                extra={"chain": chain, "network": network, "default": True},
            )
        ]

    def market_for(self, trading_pair: str, markets: list[Market]) -> Market:
        """Any pair can be quoted: a configured pair replaces the chain's default."""
        template = markets[0]
        return Market(symbol=trading_pair, trading_pair=trading_pair, extra=template.extra)

    def order_book(self, market: Market) -> OrderBook:
        if not market.trading_pair:
            raise ProbeError(f"no pair to price on {market.extra['chain']}: set one on the check")
        base, quote = market.trading_pair.split("-")
        path = f"/connectors/{self.connector_name}/{self.trading_type}/quote-swap"
        params: dict[str, Any] = {
            "network": market.extra["network"],
            "baseToken": base,
            "quoteToken": quote,
            "amount": QUOTE_AMOUNT,
        }
        sell = self.get_json(path, {**params, "side": "SELL"})
        buy = self.get_json(path, {**params, "side": "BUY"})
        amount = Decimal(QUOTE_AMOUNT)
        bids = [(Decimal(str(sell["price"])), amount)] if float(sell["price"]) > 0 else []
        asks = [(Decimal(str(buy["price"])), amount)] if float(buy["price"]) > 0 else []
        return OrderBook(bids=bids, asks=asks)

    def stream_first_message(self, market: Market) -> StreamMessage:
        raise ProbeError("Gateway connectors have no public stream")
