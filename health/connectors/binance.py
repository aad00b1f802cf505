"""Binance spot (``binance``) and USDⓈ-M futures (``binance_perpetual``)."""

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
    optional_millis,
    pair,
    raise_code_msg_error,
    subscription_rejected,
)


def _stream_event(data: dict[str, Any], channel: str) -> StreamMessage | None:
    event = data.get("e")
    if event == "depthUpdate":
        return StreamMessage(StreamKind.DIFF, channel, from_millis(data["E"]))
    if event in {"trade", "aggTrade"}:
        return StreamMessage(StreamKind.TRADE, channel, from_millis(data["T"]))
    return None


class Binance(ExchangeConnector):
    connector_id = "binance"
    default_rest_url = "https://api.binance.com"
    default_ws_url = "wss://stream.binance.com:9443/ws"
    api = "/api/v3"

    def server_time(self) -> datetime | None:
        payload = self.get_json(f"{self.api}/time")
        raise_code_msg_error(payload)
        return from_millis(payload["serverTime"])

    def system_status(self) -> SystemStatus | None:
        # GET /sapi/v1/system/status: {"status": 0, "msg": "normal"}; 1 is maintenance
        payload = self.get_json("/sapi/v1/system/status")
        if not isinstance(payload, dict) or "status" not in payload:
            return None
        return SystemStatus(normal=payload["status"] == 0, message=str(payload.get("msg", "")))

    def markets(self) -> list[Market]:
        payload = self.get_json(f"{self.api}/exchangeInfo")
        raise_code_msg_error(payload)
        return [
            Market(
                symbol=row["symbol"],
                trading_pair=pair(row["baseAsset"], row["quoteAsset"]),
                active=row.get("status") == "TRADING" and self._tradable(row),
            )
            for row in payload["symbols"]
        ]

    def _tradable(self, row: dict[str, Any]) -> bool:
        """Spot: every market, unless its ``permissionSets`` leave SPOT out."""
        permission_sets = row.get("permissionSets")
        if permission_sets is None:
            return True
        return any("SPOT" in group for group in permission_sets)

    def order_book(self, market: Market) -> OrderBook:
        payload = self.get_json(f"{self.api}/depth", {"symbol": market.symbol, "limit": 100})
        raise_code_msg_error(payload)
        return OrderBook(*bids_asks(payload), optional_millis(payload.get("E")))

    def stream_first_message(self, market: Market) -> StreamMessage:
        return self.first_stream_message(
            self.endpoints.ws_url, subscribe=self._subscriptions(market), parse=self._parse
        )

    def _subscriptions(self, market: Market) -> list[dict[str, Any]]:
        name = market.symbol.lower()
        return [
            {"method": "SUBSCRIBE", "params": [f"{name}@depth@100ms"], "id": 1},
            {"method": "SUBSCRIBE", "params": [f"{name}@trade"], "id": 2},
        ]

    def _parse(self, message: Any) -> StreamMessage | None:
        if "error" in message:
            raise subscription_rejected(message, "error")
        if "result" in message:  # subscription ack
            return None
        return self._event(message)

    def _event(self, message: Any) -> StreamMessage | None:
        return _stream_event(message, f"{message.get('s', '').lower()}@{message.get('e', '')}")


class BinancePerpetual(Binance):
    connector_id = "binance_perpetual"
    default_rest_url = "https://fapi.binance.com"
    default_ws_url = "wss://fstream.binance.com/public/stream"
    api = "/fapi/v1"

    def system_status(self) -> SystemStatus | None:
        return None  # the status endpoint lives on the spot API's host, not the futures one

    def _tradable(self, row: dict[str, Any]) -> bool:
        """Futures: perpetual contracts only, not dated ones."""
        return row.get("contractType") in {"PERPETUAL", "TRADIFI_PERPETUAL"}

    def _subscriptions(self, market: Market) -> list[dict[str, Any]]:
        # The public/stream route carries depth; it is a combined stream ({stream, data}).
        return [{"method": "SUBSCRIBE", "params": [f"{market.symbol.lower()}@depth"], "id": 1}]

    def _event(self, message: Any) -> StreamMessage | None:
        if "stream" in message and "data" in message:
            return _stream_event(message["data"], message["stream"])
        return None
