"""Simulated Bitstamp spot (``bitstamp``), API v2 and WebSocket v2."""

from __future__ import annotations

from typing import Any

from health.simulator.exchanges.base import Ctx, Json, Reply, Req, Route, SimExchange, as_lists
from health.simulator.market_data import USD_MARKETS, SimMarket, trade


class Bitstamp(SimExchange):
    name = "bitstamp"
    markets = USD_MARKETS

    def symbol(self, market: SimMarket) -> str:
        return f"{market.base}{market.quote}".lower()

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/api/v2/status/", "server_time", lambda c, r: {"server_time": c.now_ms}),
            Route("GET", "/api/v2/trading-pairs-info/", "markets", self.pairs_info),
            Route("GET", "/api/v2/order_book/{symbol}/", "order_book", self.order_book),
        ]

    def pairs_info(self, ctx: Ctx, req: Req) -> Json:
        return [
            {
                "name": f"{m.base}/{m.quote}",
                "url_symbol": self.symbol(m),
                "trading": "Enabled" if m.active else "Disabled",
            }
            for m in self.markets
        ]

    def order_book(self, ctx: Ctx, req: Req) -> Json:
        market = self.find(req.params["symbol"])
        if market is None:
            return {"status": "error", "reason": "Invalid currency pair."}
        bids, asks = ctx.book(market)
        return {
            "timestamp": str(int(ctx.now_s)),
            "microtimestamp": str(ctx.now_ms * 1000),
            "bids": as_lists(bids),
            "asks": as_lists(asks),
        }

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        if message.get("event") == "bts:heartbeat":
            return [Reply({"event": "bts:heartbeat", "channel": "", "data": {"status": "success"}})]
        channel = message.get("data", {}).get("channel", "")
        prefix, _, symbol = channel.rpartition("_")
        market = self.find(symbol)
        if market is None or prefix not in {"diff_order_book", "live_trades"}:
            return [
                Reply(
                    {
                        "event": "bts:error",
                        "channel": "",
                        "data": {"code": None, "message": "Bad subscription string."},
                    }
                )
            ]
        ack = Reply({"event": "bts:subscription_succeeded", "channel": channel, "data": {}})
        micros = str(ctx.now_ms * 1000)
        if prefix == "diff_order_book":
            bids, asks = ctx.book(market)
            data: dict[str, Any] = {
                "timestamp": str(int(ctx.now_s)),
                "microtimestamp": micros,
                "bids": as_lists(bids[:1]),
                "asks": as_lists(asks[:1]),
            }
            return [ack, Reply({"data": data, "channel": channel, "event": "data"}, data=True)]
        price, size = trade(market.mid)
        data = {
            "id": 345726198,
            "timestamp": str(int(ctx.now_s)),
            "amount": float(size),
            "amount_str": size,
            "price": float(price),
            "price_str": price,
            "type": 0,
            "microtimestamp": micros,
        }
        return [ack, Reply({"data": data, "channel": channel, "event": "trade"}, data=True)]
