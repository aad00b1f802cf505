"""BitMart spot (``bitmart``). Stream frames may arrive raw-deflate compressed."""

from __future__ import annotations

import json
import zlib
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
    from_seconds,
    millis_book,
    pair,
    subscription_rejected,
    unwrap_envelope,
)


def _data(payload: Any) -> Any:
    return unwrap_envelope(
        payload, ok=lambda envelope: envelope.get("code") == 1000, message_key="message"
    )["data"]


def decode_frame(raw: str | bytes) -> Any:
    if isinstance(raw, bytes):
        raw = zlib.decompress(raw, -zlib.MAX_WBITS)
    return json.loads(raw)


class Bitmart(ExchangeConnector):
    connector_id = "bitmart"
    default_rest_url = "https://api-cloud.bitmart.com"
    default_ws_url = "wss://ws-manager-compress.bitmart.com/api?protocol=1.1"

    def server_time(self) -> datetime | None:
        return from_millis(_data(self.get_json("/system/time"))["server_time"])

    def markets(self) -> list[Market]:
        return [
            Market(
                symbol=row["symbol"],
                trading_pair=pair(row["base_currency"], row["quote_currency"]),
                active=row.get("trade_status") == "trading",
            )
            for row in _data(self.get_json("/spot/v1/symbols/details"))["symbols"]
        ]

    def order_book(self, market: Market) -> OrderBook:
        data = _data(
            self.get_json("/spot/quotation/v3/books", {"symbol": market.symbol, "limit": 35})
        )
        return millis_book(data)

    def stream_first_message(self, market: Market) -> StreamMessage:
        return self.first_stream_message(
            self.endpoints.ws_url,
            subscribe=[
                {
                    "op": "subscribe",
                    "args": [f"spot/depth50:{market.symbol}", f"spot/trade:{market.symbol}"],
                }
            ],
            decode=decode_frame,
            parse=_parse,
        )


def _parse(message: Any) -> StreamMessage | None:
    if "errorCode" in message or "errorMessage" in message:
        raise subscription_rejected(message, "errorMessage")
    if "data" not in message:
        return None  # subscribe ack
    table = message.get("table", "")
    data = message["data"][0]
    if table.startswith("spot/depth"):
        return book_push(table, millis_book(data, stamp="ms_t"), snapshot=True)
    if table == "spot/trade":
        return StreamMessage(StreamKind.TRADE, table, from_seconds(data["s_t"]))
    return None
