"""dYdX v4 perpetuals (``dydx_v4_perpetual``) through the public Indexer API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from health.connectors.base import (
    ExchangeConnector,
    Market,
    OrderBook,
    StreamKind,
    StreamMessage,
    bids_asks,
    from_iso,
    from_seconds,
    pair,
    subscription_rejected,
)


def _book(book: dict[str, Any]) -> OrderBook:
    """The Indexer's book, ``{"bids": [{"price", "size"}], "asks": [..]}``: it carries no time."""
    return OrderBook(*bids_asks(book, price="price", size="size"))


class DydxV4Perpetual(ExchangeConnector):
    connector_id = "dydx_v4_perpetual"
    default_rest_url = "https://indexer.dydx.trade"
    default_ws_url = "wss://indexer.dydx.trade/v4/ws"
    default_trading_pair = "BTC-USD"

    def server_time(self) -> datetime | None:
        return from_seconds(self.get_json("/v4/time")["epoch"])

    def markets(self) -> list[Market]:
        payload = self.get_json("/v4/perpetualMarkets")
        return [
            Market(
                symbol=row["ticker"],
                trading_pair=pair(row["ticker"].split("-")[0], "USD"),
                active=row.get("status") == "ACTIVE",
            )
            for row in payload["markets"].values()
        ]

    def order_book(self, market: Market) -> OrderBook:
        payload = self.get_json(f"/v4/orderbooks/perpetualMarket/{market.symbol}")
        return _book(payload)

    def stream_first_message(self, market: Market) -> StreamMessage:
        return self.first_stream_message(
            self.endpoints.ws_url,
            subscribe=[
                {"type": "subscribe", "channel": channel, "id": market.symbol}
                for channel in ("v4_orderbook", "v4_trades")
            ],
            subscribe_after=lambda message: message.get("type") == "connected",
            parse=_parse,
        )


def _parse(message: Any) -> StreamMessage | None:
    kind = message.get("type")
    if kind == "error":
        raise subscription_rejected(message, "message")
    channel = message.get("channel", "")
    contents = message.get("contents")
    if channel == "v4_orderbook" and kind == "subscribed":
        return StreamMessage(StreamKind.SNAPSHOT, channel, None, _book(contents))
    if channel == "v4_orderbook" and kind == "channel_data":
        return StreamMessage(StreamKind.DIFF, channel, None)
    if channel == "v4_trades" and kind in {"subscribed", "channel_data"}:
        trades = contents["trades"]
        stamp = from_iso(trades[0]["createdAt"]) if trades else None
        return StreamMessage(StreamKind.TRADE, channel, stamp)
    return None
