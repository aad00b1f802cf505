"""Kraken spot (``kraken``): REST, and WebSocket API v1 (array messages)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from health.connectors.base import (
    ExchangeConnector,
    Level,
    Market,
    OrderBook,
    StreamKind,
    StreamMessage,
    SystemStatus,
    bids_asks,
    from_seconds,
    levels,
    pair,
    subscription_rejected,
    unwrap_envelope,
)

# Kraken's own asset names that Hummingbot translates.
ASSET_ALIASES = {"XBT": "BTC", "XDG": "DOGE"}


def _result(payload: Any) -> Any:
    return unwrap_envelope(
        payload, ok=lambda envelope: not envelope.get("error"), message_key="error"
    )["result"]


def hummingbot_asset(name: str) -> str:
    """Hummingbot's rule: strip a leading X or Z from any 4-letter code (XXBT -> XBT,
    ZUSD -> USD, XLTC -> LTC), then map XBT -> BTC and XDG -> DOGE."""
    name = name.upper()
    if len(name) == 4 and name[0] in "XZ":
        name = name[1:]
    return ASSET_ALIASES.get(name, name)


def _latest(rows: list[list[Any]]) -> datetime | None:
    stamps = [float(row[2]) for row in rows if len(row) > 2]
    return from_seconds(max(stamps)) if stamps else None


class Kraken(ExchangeConnector):
    connector_id = "kraken"
    default_rest_url = "https://api.kraken.com"
    default_ws_url = "wss://ws.kraken.com"
    default_trading_pair = "BTC-USD"

    def server_time(self) -> datetime | None:
        return from_seconds(_result(self.get_json("/0/public/Time"))["unixtime"])

    def system_status(self) -> SystemStatus | None:
        # GET /0/public/SystemStatus: online, maintenance, cancel_only or post_only
        status = str(_result(self.get_json("/0/public/SystemStatus")).get("status", ""))
        return SystemStatus(normal=status == "online", message="" if status == "online" else status)

    def markets(self) -> list[Market]:
        markets = []
        for row in _result(self.get_json("/0/public/AssetPairs")).values():
            if row["altname"].endswith(".d") or "wsname" not in row:
                continue  # dark pools have no public book
            base, quote = row["wsname"].split("/")
            markets.append(
                Market(
                    symbol=row["altname"],
                    trading_pair=pair(hummingbot_asset(base), hummingbot_asset(quote)),
                    active=row.get("status", "online") == "online",
                    extra={"wsname": row["wsname"]},
                )
            )
        return markets

    def order_book(self, market: Market) -> OrderBook:
        result = _result(self.get_json("/0/public/Depth", {"pair": market.symbol, "count": 25}))
        book = next(iter(result.values()))  # keyed by Kraken's own pair name
        return OrderBook(*bids_asks(book), _latest(book["bids"] + book["asks"]))

    def stream_first_message(self, market: Market) -> StreamMessage:
        wsname = market.extra["wsname"]
        return self.first_stream_message(
            self.endpoints.ws_url,
            subscribe=[
                {
                    "event": "subscribe",
                    "pair": [wsname],
                    "subscription": {"name": "book", "depth": 10},
                },
                {"event": "subscribe", "pair": [wsname], "subscription": {"name": "trade"}},
            ],
            parse=_parse,
        )


def _parse(message: Any) -> StreamMessage | None:
    if isinstance(message, dict):
        if message.get("event") == "subscriptionStatus" and message.get("status") == "error":
            raise subscription_rejected(message, "errorMessage")
        return None  # systemStatus, heartbeat, subscriptionStatus
    channel = message[-2]
    if channel.startswith("book"):
        content = message[1]
        if "as" in content or "bs" in content:
            asks: list[Level] = levels(content.get("as", []))
            bids: list[Level] = levels(content.get("bs", []))
            stamp = _latest(content.get("as", []) + content.get("bs", []))
            book = OrderBook(bids=bids, asks=asks, timestamp=stamp)
            return StreamMessage(StreamKind.SNAPSHOT, channel, stamp, book)
        changes = content.get("a", []) + content.get("b", [])
        return StreamMessage(StreamKind.DIFF, channel, _latest(changes))
    if channel == "trade":
        return StreamMessage(StreamKind.TRADE, channel, from_seconds(message[1][0][2]))
    return None
