"""KuCoin spot (``kucoin``) and futures (``kucoin_perpetual``).

The stream URL is not fixed: a public token request (``POST bullet-public``) announces the
endpoint and a token; a configured WebSocket URL replaces the announced endpoint.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from health.connectors.base import (
    ExchangeConnector,
    Market,
    OrderBook,
    StreamKind,
    StreamMessage,
    SystemStatus,
    bids_asks,
    from_millis,
    from_nanos,
    new_request_id,
    optional_millis,
    pair,
    subscription_rejected,
    unwrap_envelope,
)

OK = "200000"


def _data(payload: Any) -> Any:
    return unwrap_envelope(
        payload, ok=lambda envelope: str(envelope.get("code")) == OK, message_key="msg"
    )["data"]


class Kucoin(ExchangeConnector):
    connector_id = "kucoin"
    default_rest_url = "https://api.kucoin.com"
    default_ws_url = ""  # announced by bullet-public
    topics = ("/market/level2", "/market/match")

    def server_time(self) -> datetime | None:
        return from_millis(_data(self.get_json("/api/v1/timestamp")))

    def system_status(self) -> SystemStatus | None:
        # GET /api/v1/status: {"status": "open" | "close" | "cancelonly", "msg": ...}
        data = _data(self.get_json("/api/v1/status"))
        status = str(data.get("status", "")) if isinstance(data, dict) else ""
        if status == "open":
            return SystemStatus(normal=True)
        return SystemStatus(normal=False, message=str(data.get("msg") or status or "unknown"))

    def markets(self) -> list[Market]:
        return [
            Market(
                symbol=row["symbol"],
                trading_pair=pair(row["baseCurrency"], row["quoteCurrency"]),
                active=bool(row.get("enableTrading")),
            )
            for row in _data(self.get_json("/api/v2/symbols"))
        ]

    def order_book(self, market: Market) -> OrderBook:
        data = _data(
            self.get_json("/api/v1/market/orderbook/level2_100", {"symbol": market.symbol})
        )
        return OrderBook(*bids_asks(data), optional_millis(data.get("time")))

    def stream_url(self) -> str:
        data = _data(self.post_json("/api/v1/bullet-public"))
        endpoint = self.endpoints.ws_url or data["instanceServers"][0]["endpoint"]
        return f"{endpoint}?token={data['token']}&connectId={new_request_id()}"

    def stream_first_message(self, market: Market) -> StreamMessage:
        return self.first_stream_message(
            self.stream_url(),
            subscribe=[
                {
                    "id": new_request_id(),
                    "type": "subscribe",
                    "topic": f"{topic}:{market.symbol}",
                    "privateChannel": False,
                    "response": True,
                }
                for topic in self.topics
            ],
            subscribe_after=lambda message: message.get("type") == "welcome",
            parse=self._parse,
        )

    def _parse(self, message: Any) -> StreamMessage | None:
        kind = message.get("type")
        if kind == "error":
            raise subscription_rejected(message, "data")
        if kind != "message":
            return None  # ack, pong
        return self._event(message, message["data"])

    def _event(self, message: Any, data: Any) -> StreamMessage | None:
        """A spot data message: which one its ``subject`` says."""
        subject = message.get("subject")
        if subject == "trade.l2update":
            return StreamMessage(
                StreamKind.DIFF, message["topic"], optional_millis(data.get("time"))
            )
        if subject == "trade.l3match":
            return StreamMessage(StreamKind.TRADE, message["topic"], from_nanos(data["time"]))
        return None


class KucoinPerpetual(Kucoin):
    connector_id = "kucoin_perpetual"
    default_rest_url = "https://api-futures.kucoin.com"
    default_trading_pair = "XBT-USDT"  # KuCoin Futures keeps XBT, as Hummingbot does
    topics = ("/contractMarket/level2", "/contractMarket/execution")

    def markets(self) -> list[Market]:
        return [
            Market(
                symbol=row["symbol"],
                trading_pair=pair(row["baseCurrency"], row["quoteCurrency"]),
                active=row.get("status") == "Open",
            )
            for row in _data(self.get_json("/api/v1/contracts/active"))
        ]

    def order_book(self, market: Market) -> OrderBook:
        data = _data(self.get_json("/api/v1/level2/depth100", {"symbol": market.symbol}))
        stamp = from_nanos(data["ts"]) if data.get("ts") else None
        return OrderBook(*bids_asks(data), stamp)

    def _event(self, message: Any, data: Any) -> StreamMessage | None:
        """A futures data message: which one its ``topic`` says."""
        topic = message.get("topic", "")
        if topic.startswith("/contractMarket/level2"):
            data["change"].split(",")[2]  # price,side,size — a diff without it is malformed
            return StreamMessage(StreamKind.DIFF, topic, from_millis(data["timestamp"]))
        if topic.startswith("/contractMarket/execution"):
            return StreamMessage(StreamKind.TRADE, topic, from_nanos(data["ts"]))
        return None
