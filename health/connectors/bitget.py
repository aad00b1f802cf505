"""Bitget spot (``bitget``) and USDT-M futures (``bitget_perpetual``), API v2."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from health.connectors.base import (
    ExchangeConnector,
    Market,
    OrderBook,
    ProbeError,
    StreamKind,
    StreamMessage,
    from_millis,
    levels,
    pair,
    unwrap_envelope,
)


def _data(payload: Any) -> Any:
    return unwrap_envelope(
        payload, ok=lambda envelope: envelope.get("code") == "00000", message_key="msg"
    )["data"]


def _decode(raw: str | bytes) -> Any:
    text = raw.decode() if isinstance(raw, bytes) else raw
    return {"pong": True} if text == "pong" else json.loads(text)


class Bitget(ExchangeConnector):
    connector_id = "bitget"
    default_rest_url = "https://api.bitget.com"
    default_ws_url = "wss://ws.bitget.com/v2/ws/public"
    inst_type = "SPOT"

    def server_time(self) -> datetime | None:
        return from_millis(_data(self.get_json("/api/v2/public/time"))["serverTime"])

    def markets(self) -> list[Market]:
        return [
            Market(
                symbol=row["symbol"],
                trading_pair=pair(row["baseCoin"], row["quoteCoin"]),
                active=row.get("status") == "online",
            )
            for row in _data(self.get_json("/api/v2/spot/public/symbols"))
        ]

    def order_book(self, market: Market) -> OrderBook:
        data = _data(
            self.get_json("/api/v2/spot/market/orderbook", {"symbol": market.symbol, "limit": 50})
        )
        return self._book(data)

    def _book(self, data: dict[str, Any]) -> OrderBook:
        return OrderBook(
            bids=levels(data["bids"]), asks=levels(data["asks"]), timestamp=from_millis(data["ts"])
        )

    def stream_first_message(self, market: Market) -> StreamMessage:
        args = [
            {"instType": self.inst_type, "channel": channel, "instId": market.symbol}
            for channel in ("books", "trade")
        ]
        return self.first_stream_message(
            self.endpoints.ws_url,
            subscribe=[{"op": "subscribe", "args": args}],
            decode=_decode,
            parse=_parse,
        )


def _parse(message: Any) -> StreamMessage | None:
    if message.get("event") == "error":
        raise ProbeError(f"subscription rejected: {message.get('msg', message)}")
    if "event" in message or "data" not in message:
        return None  # ack, pong
    channel = message["arg"]["channel"]
    data = message["data"][0]
    if channel.startswith("books"):
        book = OrderBook(levels(data["bids"]), levels(data["asks"]), from_millis(data["ts"]))
        if message.get("action") == "snapshot":
            return StreamMessage(StreamKind.SNAPSHOT, channel, book.timestamp, book)
        return StreamMessage(StreamKind.DIFF, channel, book.timestamp)
    if channel == "trade":
        return StreamMessage(StreamKind.TRADE, channel, from_millis(data["ts"]))
    return None


class BitgetPerpetual(Bitget):
    connector_id = "bitget_perpetual"
    inst_type = "USDT-FUTURES"

    def markets(self) -> list[Market]:
        rows = _data(self.get_json("/api/v2/mix/market/contracts", {"productType": self.inst_type}))
        return [
            Market(
                symbol=row["symbol"],
                trading_pair=pair(row["baseCoin"], row["quoteCoin"]),
                active=row.get("symbolStatus", "normal") == "normal",
            )
            for row in rows
            if not row.get("deliveryTime")  # dated futures are not perpetuals
        ]

    def order_book(self, market: Market) -> OrderBook:
        data = _data(
            self.get_json(
                "/api/v2/mix/market/merge-depth",
                {"symbol": market.symbol, "productType": self.inst_type, "limit": 50},
            )
        )
        return self._book(data)
