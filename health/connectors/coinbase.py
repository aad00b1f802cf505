"""Coinbase Advanced Trade (``coinbase_advanced_trade``), public endpoints only."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from health.connectors.base import (
    ExchangeConnector,
    Level,
    Market,
    OrderBook,
    StreamKind,
    StreamMessage,
    bids_asks,
    from_iso,
    pair,
    subscription_rejected,
)


class CoinbaseAdvancedTrade(ExchangeConnector):
    connector_id = "coinbase_advanced_trade"
    default_rest_url = "https://api.coinbase.com"
    default_ws_url = "wss://advanced-trade-ws.coinbase.com"
    default_trading_pair = "BTC-USD"

    def server_time(self) -> datetime | None:
        return from_iso(self.get_json("/api/v3/brokerage/time")["iso"])

    def markets(self) -> list[Market]:
        payload = self.get_json("/api/v3/brokerage/market/products")
        return [
            Market(
                symbol=row["product_id"],
                trading_pair=pair(row["base_currency_id"], row["quote_currency_id"]),
                active=row.get("product_type") == "SPOT"
                and not row.get("trading_disabled")
                and not row.get("is_disabled")
                and not row.get("cancel_only")
                and not row.get("auction_mode"),
            )
            for row in payload["products"]
        ]

    def order_book(self, market: Market) -> OrderBook:
        # The keyless public book (Hummingbot's /brokerage/product_book needs a CDP key).
        book = self.get_json(
            "/api/v3/brokerage/market/product_book", {"product_id": market.symbol, "limit": 50}
        )["pricebook"]
        return OrderBook(*bids_asks(book, price="price", size="size"), from_iso(book["time"]))

    def stream_first_message(self, market: Market) -> StreamMessage:
        return self.first_stream_message(
            self.endpoints.ws_url,
            subscribe=[
                {"type": "subscribe", "product_ids": [market.symbol], "channel": channel}
                for channel in ("heartbeats", "level2", "market_trades")
            ],
            parse=_parse,
        )


def _parse(message: Any) -> StreamMessage | None:
    if message.get("type") == "error":
        raise subscription_rejected(message, "message")
    channel = message.get("channel")
    if channel == "l2_data":
        event = message["events"][0]
        stamp = from_iso(message["timestamp"])
        if event["type"] == "snapshot":
            bids: list[Level] = []
            asks: list[Level] = []
            for update in event["updates"]:
                level = (Decimal(update["price_level"]), Decimal(update["new_quantity"]))
                (bids if update["side"] == "bid" else asks).append(level)
            book = OrderBook(bids=bids, asks=asks, timestamp=stamp)
            return StreamMessage(StreamKind.SNAPSHOT, channel, stamp, book)
        return StreamMessage(StreamKind.DIFF, channel, stamp)
    if channel == "market_trades":
        return StreamMessage(StreamKind.TRADE, channel, from_iso(message["timestamp"]))
    return None  # subscriptions, heartbeats
