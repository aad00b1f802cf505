"""HTX, formerly Huobi (``htx``). Every stream frame is gzip-compressed; pings need pongs."""

from __future__ import annotations

import gzip
import json
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
    millis_book,
    new_request_id,
    pair,
    subscription_rejected,
    unwrap_envelope,
)


def _ok(payload: Any) -> Any:
    return unwrap_envelope(
        payload, ok=lambda envelope: envelope.get("status") == "ok", message_key="err-msg"
    )


def decode_frame(raw: str | bytes) -> Any:
    return json.loads(gzip.decompress(raw) if isinstance(raw, bytes) else raw)


class Htx(ExchangeConnector):
    connector_id = "htx"
    default_rest_url = "https://api.huobi.pro"
    default_ws_url = "wss://api.huobi.pro/ws"

    def server_time(self) -> datetime | None:
        return from_millis(_ok(self.get_json("/v1/common/timestamp"))["data"])

    def markets(self) -> list[Market]:
        return [
            Market(
                symbol=row["symbol"],
                trading_pair=pair(row["bc"], row["qc"]),
                active=row.get("state") == "online",
            )
            for row in _ok(self.get_json("/v1/settings/common/market-symbols"))["data"]
        ]

    def order_book(self, market: Market) -> OrderBook:
        tick = _ok(
            self.get_json("/market/depth", {"symbol": market.symbol, "type": "step0", "depth": 20})
        )["tick"]
        return millis_book(tick)

    def stream_first_message(self, market: Market) -> StreamMessage:
        return self.first_stream_message(
            self.endpoints.ws_url,
            subscribe=[
                {"sub": f"market.{market.symbol}.depth.step0", "id": new_request_id()},
                {"sub": f"market.{market.symbol}.trade.detail", "id": new_request_id()},
            ],
            decode=decode_frame,
            reply=lambda m: json.dumps({"pong": m["ping"]}) if "ping" in m else None,
            parse=_parse,
        )


def _parse(message: Any) -> StreamMessage | None:
    if message.get("status") == "error":
        raise subscription_rejected(message, "err-msg")
    channel = message.get("ch", "")
    if channel.endswith("depth.step0"):
        return book_push(channel, millis_book(message["tick"]), snapshot=True)
    if channel.endswith("trade.detail"):
        return StreamMessage(StreamKind.TRADE, channel, from_millis(message["tick"]["ts"]))
    return None
