"""Bybit spot (``bybit``) and USDT linear perpetuals (``bybit_perpetual``), API v5."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from health.connectors.base import (
    ExchangeConnector,
    Market,
    OrderBook,
    StreamKind,
    StreamMessage,
    book_push,
    from_millis,
    from_nanos,
    levels,
    pair,
    subscription_rejected,
    unwrap_envelope,
)


def _result(payload: Any) -> Any:
    return unwrap_envelope(
        payload, ok=lambda envelope: envelope.get("retCode") == 0, message_key="retMsg"
    )["result"]


class Bybit(ExchangeConnector):
    connector_id = "bybit"
    default_rest_url = "https://api.bybit.com"
    default_ws_url = "wss://stream.bybit.com/v5/public/spot"
    category = "spot"

    def server_time(self) -> datetime | None:
        return from_nanos(_result(self.get_json("/v5/market/time"))["timeNano"])

    def markets(self) -> list[Market]:
        result = _result(
            self.get_json("/v5/market/instruments-info", {"category": self.category, "limit": 1000})
        )
        return [
            Market(
                symbol=row["symbol"],
                trading_pair=pair(row["baseCoin"], row["quoteCoin"]),
                active=self._active(row),
            )
            for row in result["list"]
        ]

    def _active(self, row: dict[str, Any]) -> bool:
        return row.get("status") == "Trading"

    def order_book(self, market: Market) -> OrderBook:
        result = _result(
            self.get_json(
                "/v5/market/orderbook",
                {"category": self.category, "symbol": market.symbol, "limit": 50},
            )
        )
        return OrderBook(
            bids=levels(result["b"]), asks=levels(result["a"]), timestamp=from_millis(result["ts"])
        )

    def stream_first_message(self, market: Market) -> StreamMessage:
        return self.first_stream_message(
            self.endpoints.ws_url,
            subscribe=[
                {"op": "subscribe", "args": [f"orderbook.50.{market.symbol}"]},
                {"op": "subscribe", "args": [f"publicTrade.{market.symbol}"]},
            ],
            parse=_parse,
        )


def _parse(message: Any) -> StreamMessage | None:
    if message.get("op") == "subscribe":
        if not message.get("success", False):
            raise subscription_rejected(message, "ret_msg")
        return None
    topic = message.get("topic", "")
    if topic.startswith("orderbook."):
        data = message["data"]
        book = OrderBook(levels(data["b"]), levels(data["a"]), from_millis(message["ts"]))
        return book_push(topic, book, snapshot=message.get("type") == "snapshot")
    if topic.startswith("publicTrade."):
        return StreamMessage(StreamKind.TRADE, topic, from_millis(message["data"][0]["T"]))
    return None


class BybitPerpetual(Bybit):
    connector_id = "bybit_perpetual"
    default_ws_url = "wss://stream.bybit.com/v5/public/linear"
    category = "linear"

    def _active(self, row: dict[str, Any]) -> bool:
        return row.get("status") in {"Trading", "Settling"} and row.get("contractType") in {
            "LinearPerpetual",
            "InversePerpetual",
        }
