"""Simulated dYdX v4 perpetuals (``dydx_v4_perpetual``), the public Indexer API."""

from __future__ import annotations

import json

from health.simulator.exchanges.base import Ctx, Json, Reply, Req, Route, SimExchange
from health.simulator.market_data import SimMarket, trade


class Dydx(SimExchange):
    name = "dydx_v4_perpetual"
    markets = (
        SimMarket("BTC", "USD"),
        SimMarket("ETH", "USD"),
        SimMarket("LUNA", "USD", active=False),
    )
    separator = "-"

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/v4/time", "server_time", lambda c, r: {"iso": c.iso, "epoch": c.now_s}),
            Route("GET", "/v4/perpetualMarkets", "markets", self.perpetual_markets),
            Route("GET", "/v4/orderbooks/perpetualMarket/{ticker}", "order_book", self.orderbook),
        ]

    def perpetual_markets(self, ctx: Ctx, req: Req) -> Json:
        return {
            "markets": {
                self.symbol(m): {
                    "ticker": self.symbol(m),
                    "status": "ACTIVE" if m.active else "FINAL_SETTLEMENT",
                }
                for m in self.markets
            }
        }

    def book_contents(self, market: SimMarket, ctx: Ctx) -> Json:
        bids, asks = ctx.book(market)
        return {
            "bids": [{"price": p, "size": s} for p, s in bids],
            "asks": [{"price": p, "size": s} for p, s in asks],
        }

    def orderbook(self, ctx: Ctx, req: Req) -> Json:
        market = self.find(req.params["ticker"])
        if market is None:
            return {"errors": [{"msg": "ticker does not exist"}]}
        return self.book_contents(market, ctx)

    def greeting(self, ctx: Ctx) -> list[Reply]:
        return [Reply({"type": "connected", "connection_id": "sim-connection", "message_id": 0})]

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        market = self.find(message.get("id", ""))
        ctx.state["message_id"] = ctx.state.get("message_id", 0) + 1
        base = {"connection_id": "sim-connection", "message_id": ctx.state["message_id"]}
        if market is None or message.get("type") != "subscribe":
            return [
                Reply(
                    {
                        **base,
                        "type": "error",
                        "message": f"Invalid subscribe message: {json.dumps(message)}",
                    }
                )
            ]
        channel = message.get("channel")
        if channel == "v4_orderbook":
            contents = self.book_contents(market, ctx)
        else:
            price, size = trade(market.mid)
            contents = {
                "trades": [
                    {
                        "id": "1",
                        "side": "BUY",
                        "size": size,
                        "price": price,
                        "type": "LIMIT",
                        "createdAt": ctx.iso,
                        "createdAtHeight": "1",
                    }
                ]
            }
        return [
            Reply(
                {
                    **base,
                    "type": "subscribed",
                    "channel": channel,
                    "id": message["id"],
                    "contents": contents,
                },
                data=True,
            )
        ]
