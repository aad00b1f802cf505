"""Gate.io spot (``gate_io``) and USDT perpetual futures (``gate_io_perpetual``)."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from health.connectors.base import (
    ExchangeConnector,
    Market,
    OrderBook,
    ProbeError,
    StreamKind,
    StreamMessage,
    bids_asks,
    from_millis,
    from_seconds,
    levels,
    millis_book,
    pair,
    subscription_rejected,
)


def _gate_error(payload: Any) -> None:
    if isinstance(payload, dict) and "label" in payload and "message" in payload:
        raise ProbeError(f"exchange error {payload['label']}: {payload['message']}")


class GateIo(ExchangeConnector):
    connector_id = "gate_io"
    default_rest_url = "https://api.gateio.ws"
    default_ws_url = "wss://api.gateio.ws/ws/v4/"
    book_channel = "spot.order_book_update"
    trade_channel = "spot.trades"

    def server_time(self) -> datetime | None:
        # Gate's futures API has no clock of its own; both connectors read the spot one.
        payload = self.get_json("/api/v4/spot/time")
        _gate_error(payload)
        return from_millis(payload["server_time"])

    def markets(self) -> list[Market]:
        payload = self.get_json("/api/v4/spot/currency_pairs")
        _gate_error(payload)
        return [
            Market(
                symbol=row["id"],
                trading_pair=pair(row["base"], row["quote"]),
                active=row.get("trade_status") == "tradable",
            )
            for row in payload
        ]

    def order_book(self, market: Market) -> OrderBook:
        payload = self.get_json(
            "/api/v4/spot/order_book",
            {"currency_pair": market.symbol, "with_id": "true", "limit": 20},
        )
        _gate_error(payload)
        return millis_book(payload, stamp="current")

    def stream_first_message(self, market: Market) -> StreamMessage:
        now = int(time.time())
        return self.first_stream_message(
            self.endpoints.ws_url,
            subscribe=[
                {
                    "time": now,
                    "channel": self.book_channel,
                    "event": "subscribe",
                    "payload": [market.symbol, "100ms"],
                },
                {
                    "time": now,
                    "channel": self.trade_channel,
                    "event": "subscribe",
                    "payload": [market.symbol],
                },
            ],
            parse=self._parse,
        )

    def _parse(self, message: Any) -> StreamMessage | None:
        if message.get("error"):
            raise subscription_rejected(message, "error")
        if message.get("event") != "update":
            return None
        channel = message.get("channel")
        result = message["result"]
        if channel == self.book_channel:
            levels(result["b"], price=self.price_key, size=self.size_key)
            return StreamMessage(StreamKind.DIFF, channel, from_millis(result["t"]))
        if channel == self.trade_channel:
            trade = result[0] if isinstance(result, list) else result
            return StreamMessage(StreamKind.TRADE, channel, from_millis(trade["create_time_ms"]))
        return None

    price_key: Any = 0
    size_key: Any = 1


class GateIoPerpetual(GateIo):
    connector_id = "gate_io_perpetual"
    default_ws_url = "wss://fx-ws.gateio.ws/v4/ws/usdt"
    book_channel = "futures.order_book_update"
    trade_channel = "futures.trades"
    price_key = "p"
    size_key = "s"

    def markets(self) -> list[Market]:
        payload = self.get_json("/api/v4/futures/usdt/contracts")
        _gate_error(payload)
        markets = []
        for row in payload:
            base, quote = row["name"].split("_", 1)
            markets.append(
                Market(
                    symbol=row["name"],
                    trading_pair=pair(base, quote),
                    active=not row.get("in_delisting", False),
                )
            )
        return markets

    def order_book(self, market: Market) -> OrderBook:
        payload = self.get_json(
            "/api/v4/futures/usdt/order_book",
            {"contract": market.symbol, "with_id": "true", "limit": 20},
        )
        _gate_error(payload)
        return OrderBook(*bids_asks(payload, price="p", size="s"), from_seconds(payload["current"]))
