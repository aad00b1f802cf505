"""Bitget spot (``bitget``) and USDT-M futures (``bitget_perpetual``), API v2; its stream
frames are OKX's."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from health.connectors.base import (
    ExchangeConnector,
    Market,
    OrderBook,
    StreamMessage,
    from_millis,
    millis_book,
    okx_style_message,
    pair,
    pong_or_json,
    unwrap_envelope,
)


def _data(payload: Any) -> Any:
    return unwrap_envelope(
        payload, ok=lambda envelope: envelope.get("code") == "00000", message_key="msg"
    )["data"]


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
        return millis_book(data)

    def stream_first_message(self, market: Market) -> StreamMessage:
        args = [
            {"instType": self.inst_type, "channel": channel, "instId": market.symbol}
            for channel in ("books", "trade")
        ]
        return self.first_stream_message(
            self.endpoints.ws_url,
            subscribe=[{"op": "subscribe", "args": args}],
            decode=pong_or_json,
            parse=_parse,
        )


def _parse(message: Any) -> StreamMessage | None:
    # Bitget's v2 stream frames are OKX's; its book channels are books, books1, books5, books15
    return okx_style_message(
        message, is_book=lambda channel: channel.startswith("books"), trade_channel="trade"
    )


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
        return millis_book(data)
