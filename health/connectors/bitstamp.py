"""Bitstamp spot (``bitstamp``), API v2 and WebSocket v2."""

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
    bids_asks,
    from_millis,
    from_seconds,
    levels,
    pair,
    subscription_rejected,
)


def _micros(value: Any) -> datetime:
    return from_seconds(int(value) / 1_000_000)


def _bitstamp_error(payload: Any) -> None:
    if isinstance(payload, dict) and payload.get("status") == "error":
        raise ProbeError(f"exchange error: {payload.get('reason', payload)}")


class Bitstamp(ExchangeConnector):
    connector_id = "bitstamp"
    default_rest_url = "https://www.bitstamp.net"
    default_ws_url = "wss://ws.bitstamp.net"
    default_trading_pair = "BTC-USD"

    def server_time(self) -> datetime | None:
        payload = self.get_json("/api/v2/status/")
        _bitstamp_error(payload)
        return from_millis(payload["server_time"])

    def markets(self) -> list[Market]:
        payload = self.get_json("/api/v2/trading-pairs-info/")
        _bitstamp_error(payload)
        markets = []
        for row in payload:
            base, quote = row["name"].split("/")
            markets.append(
                Market(
                    symbol=row["url_symbol"],
                    trading_pair=pair(base, quote),
                    active=row.get("trading") == "Enabled",
                )
            )
        return markets

    def order_book(self, market: Market) -> OrderBook:
        payload = self.get_json(f"/api/v2/order_book/{market.symbol}/")
        _bitstamp_error(payload)
        return OrderBook(*bids_asks(payload), _micros(payload["microtimestamp"]))

    def stream_first_message(self, market: Market) -> StreamMessage:
        return self.first_stream_message(
            self.endpoints.ws_url,
            subscribe=[
                {"event": "bts:subscribe", "data": {"channel": f"{channel}_{market.symbol}"}}
                for channel in ("diff_order_book", "live_trades")
            ],
            parse=_parse,
        )


def _parse(message: Any) -> StreamMessage | None:
    event = message.get("event")
    if event == "bts:error":
        raise subscription_rejected(message, "data")
    if event == "bts:request_reconnect":
        raise ProbeError("the exchange asked the client to reconnect before any data")
    channel = message.get("channel", "")
    if event == "data" and channel.startswith("diff_order_book_"):
        data = message["data"]
        levels(data["bids"])
        return StreamMessage(StreamKind.DIFF, channel, _micros(data["microtimestamp"]))
    if event == "trade":
        return StreamMessage(StreamKind.TRADE, channel, _micros(message["data"]["microtimestamp"]))
    return None  # bts:subscription_succeeded, heartbeats
