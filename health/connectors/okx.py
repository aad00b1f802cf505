"""OKX spot (``okx``) and USDT-margined swaps (``okx_perpetual``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from health.connectors.base import (
    ExchangeConnector,
    Market,
    OrderBook,
    StreamMessage,
    SystemStatus,
    from_millis,
    millis_book,
    okx_style_message,
    pair,
    pong_or_json,
    unwrap_envelope,
)


def _data(payload: Any) -> Any:
    return unwrap_envelope(
        payload, ok=lambda envelope: str(envelope.get("code")) == "0", message_key="msg"
    )["data"]


class Okx(ExchangeConnector):
    connector_id = "okx"
    default_rest_url = "https://www.okx.com"
    default_ws_url = "wss://ws.okx.com:8443/ws/v5/public"
    inst_type = "SPOT"

    def server_time(self) -> datetime | None:
        return from_millis(_data(self.get_json("/api/v5/public/time"))[0]["ts"])

    def system_status(self) -> SystemStatus | None:
        # GET /api/v5/system/status: scheduled and ongoing maintenance, each with a state
        rows = _data(self.get_json("/api/v5/system/status"))
        ongoing = [row for row in rows if isinstance(row, dict) and row.get("state") == "ongoing"]
        if not ongoing:
            return SystemStatus(normal=True)
        return SystemStatus(normal=False, message=str(ongoing[0].get("title") or "maintenance"))

    def markets(self) -> list[Market]:
        rows = _data(self.get_json("/api/v5/public/instruments", {"instType": self.inst_type}))
        return [self._market(row) for row in rows if self._listed(row)]

    def _listed(self, row: dict[str, Any]) -> bool:
        return bool(row.get("baseCcy") and row.get("quoteCcy"))

    def _market(self, row: dict[str, Any]) -> Market:
        return Market(
            symbol=row["instId"],
            trading_pair=pair(row["baseCcy"], row["quoteCcy"]),
            active=row.get("state") == "live",
        )

    def order_book(self, market: Market) -> OrderBook:
        return millis_book(
            _data(self.get_json("/api/v5/market/books", {"instId": market.symbol, "sz": 20}))[0]
        )

    def stream_first_message(self, market: Market) -> StreamMessage:
        return self.first_stream_message(
            self.endpoints.ws_url,
            subscribe=[
                {
                    "op": "subscribe",
                    "args": [
                        {"channel": "books", "instId": market.symbol},
                        {"channel": "trades", "instId": market.symbol},
                    ],
                }
            ],
            decode=pong_or_json,
            parse=_parse,
        )


def _parse(message: Any) -> StreamMessage | None:
    return okx_style_message(
        message, is_book=lambda channel: channel == "books", trade_channel="trades"
    )


class OkxPerpetual(Okx):
    connector_id = "okx_perpetual"
    inst_type = "SWAP"

    def _listed(self, row: dict[str, Any]) -> bool:
        return row.get("ctType") == "linear"

    def _market(self, row: dict[str, Any]) -> Market:
        return Market(
            symbol=row["instId"],
            trading_pair=pair(row["ctValCcy"], row["settleCcy"]),
            active=row.get("state") == "live",
        )
