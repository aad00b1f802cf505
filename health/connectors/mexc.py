"""MEXC spot (``mexc``). Stream data frames are protobuf; acks and pongs are JSON text."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from health.connectors import protobuf_wire
from health.connectors.base import (
    ExchangeConnector,
    Market,
    OrderBook,
    StreamKind,
    StreamMessage,
    bids_asks,
    from_millis,
    levels,
    optional_millis,
    pair,
    raise_code_msg_error,
    subscription_rejected,
)


def decode_frame(raw: str | bytes) -> Any:
    if isinstance(raw, bytes):
        return protobuf_wire.decode_push(raw)
    return json.loads(raw)


class Mexc(ExchangeConnector):
    connector_id = "mexc"
    default_rest_url = "https://api.mexc.com"
    default_ws_url = "wss://wbs-api.mexc.com/ws"

    def server_time(self) -> datetime | None:
        payload = self.get_json("/api/v3/time")
        raise_code_msg_error(payload)
        return from_millis(payload["serverTime"])

    def markets(self) -> list[Market]:
        payload = self.get_json("/api/v3/exchangeInfo")
        raise_code_msg_error(payload)
        markets = []
        for row in payload["symbols"]:
            not_spot = _not_spot_tradable(row)
            markets.append(
                Market(
                    symbol=row["symbol"],
                    trading_pair=pair(row["baseAsset"], row["quoteAsset"]),
                    active=str(row.get("status")) in {"1", "ENABLED"} and not not_spot,
                    inactive_reason=not_spot,
                )
            )
        return markets

    def order_book(self, market: Market) -> OrderBook:
        payload = self.get_json("/api/v3/depth", {"symbol": market.symbol, "limit": 20})
        raise_code_msg_error(payload)
        return OrderBook(*bids_asks(payload), optional_millis(payload.get("timestamp")))

    def stream_first_message(self, market: Market) -> StreamMessage:
        channels = [
            f"spot@public.aggre.depth.v3.api.pb@100ms@{market.symbol}",
            f"spot@public.aggre.deals.v3.api.pb@100ms@{market.symbol}",
        ]
        return self.first_stream_message(
            self.endpoints.ws_url,
            subscribe=[{"method": "SUBSCRIPTION", "params": channels, "id": 1}],
            decode=decode_frame,
            parse=_parse,
        )


def _not_spot_tradable(row: dict[str, Any]) -> str:
    """Why Hummingbot's MEXC connector would skip this symbol as not spot-tradable: it keeps
    only symbols whose ``permissions`` include SPOT and whose ``isSpotTradingAllowed`` is not
    false; "" when it is spot-tradable."""
    permissions = row.get("permissions") or []
    if "SPOT" not in permissions:
        shown = ", ".join(map(str, permissions)) or "none"
        return f"not spot-tradable: its permissions ({shown}) do not include SPOT"
    if row.get("isSpotTradingAllowed", True) is not True:
        return "not spot-tradable: isSpotTradingAllowed is false"
    return ""


def _parse(message: Any) -> StreamMessage | None:
    if "code" in message:  # JSON ack or pong
        if message["code"] != 0 or "Not Subscribed" in str(message.get("msg", "")):
            raise subscription_rejected(message, "msg")
        return None
    channel = message.get("channel", "")
    if "publicAggreDepths" in message:
        depths = message["publicAggreDepths"]
        levels(depths["bids"], price="price", size="quantity")
        levels(depths["asks"], price="price", size="quantity")
        return StreamMessage(StreamKind.DIFF, channel, from_millis(message["sendTime"]))
    if "publicAggreDeals" in message:
        deal = message["publicAggreDeals"]["deals"][0]
        return StreamMessage(StreamKind.TRADE, channel, from_millis(deal["time"]))
    return None
