"""Hyperliquid spot (``hyperliquid``) and perpetuals (``hyperliquid_perpetual``).

Public data is ``POST /info`` with a JSON body. There is no server-time endpoint: the first
step only proves the API answers, and staleness is judged from the book's ``time``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from health.connectors.base import (
    ExchangeConnector,
    Market,
    OrderBook,
    ProbeError,
    StreamKind,
    StreamMessage,
    book_push,
    from_millis,
    levels,
    pair,
    subscription_rejected,
)


def _book(data: dict[str, Any]) -> OrderBook:
    bids, asks = data["levels"]
    return OrderBook(
        bids=levels(bids, price="px", size="sz"),
        asks=levels(asks, price="px", size="sz"),
        timestamp=from_millis(data["time"]),
    )


class Hyperliquid(ExchangeConnector):
    connector_id = "hyperliquid"
    default_rest_url = "https://api.hyperliquid.xyz"
    default_ws_url = "wss://api-ui.hyperliquid.xyz/ws"
    default_trading_pair = "HYPE-USDC"
    has_server_time = False

    def server_time(self) -> datetime | None:
        meta = self.post_json("/info", {"type": "meta"})
        if not isinstance(meta, dict) or "universe" not in meta:
            raise ProbeError(f"unexpected answer to the meta request: {str(meta)[:120]!r}")
        return None

    def markets(self) -> list[Market]:
        spot_meta, _contexts = self.post_json("/info", {"type": "spotMetaAndAssetCtxs"})
        tokens = {token["index"]: token["name"] for token in spot_meta["tokens"]}
        markets = []
        for row in spot_meta["universe"]:
            base_index, quote_index = row["tokens"]
            if base_index not in tokens or quote_index not in tokens:
                continue  # Hummingbot skips entries with unknown token indices too
            base = tokens[base_index].replace(" ", "")
            quote = tokens[quote_index].replace(" ", "")
            markets.append(Market(symbol=row["name"], trading_pair=pair(base, quote)))
        return markets

    def order_book(self, market: Market) -> OrderBook:
        return _book(self.post_json("/info", {"type": "l2Book", "coin": market.symbol}))

    def stream_first_message(self, market: Market) -> StreamMessage:
        return self.first_stream_message(
            self.endpoints.ws_url,
            subscribe=[
                {"method": "subscribe", "subscription": {"type": kind, "coin": market.symbol}}
                for kind in ("l2Book", "trades")
            ],
            parse=_parse,
        )


def _parse(message: Any) -> StreamMessage | None:
    channel = message.get("channel")
    if channel == "error":
        raise subscription_rejected(message, "data")
    if channel == "l2Book":
        return book_push(channel, _book(message["data"]), snapshot=True)
    if channel == "trades":
        return StreamMessage(StreamKind.TRADE, channel, from_millis(message["data"][0]["time"]))
    return None  # subscriptionResponse, pong


class HyperliquidPerpetual(Hyperliquid):
    connector_id = "hyperliquid_perpetual"
    default_ws_url = "wss://api.hyperliquid.xyz/ws"
    default_trading_pair = "BTC-USD"

    def markets(self) -> list[Market]:
        meta, _contexts = self.post_json("/info", {"type": "metaAndAssetCtxs"})
        return [
            Market(
                symbol=row["name"],
                trading_pair=pair(row["name"], "USD"),
                active=not row.get("isDelisted", False),
            )
            for row in meta["universe"]
        ]
