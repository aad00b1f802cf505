"""Simulated HTX (``htx``): gzip-compressed stream frames, data only after a pong."""

from __future__ import annotations

import gzip
import json

from health.simulator.exchanges.base import Ctx, Json, Reply, Req, Route, SimExchange
from health.simulator.market_data import SimMarket, trade


class Htx(SimExchange):
    name = "htx"

    def symbol(self, market: SimMarket) -> str:
        return f"{market.base}{market.quote}".lower()

    def routes(self) -> list[Route]:
        return [
            Route(
                "GET",
                "/v1/common/timestamp",
                "server_time",
                lambda c, r: {"status": "ok", "data": c.now_ms},
            ),
            Route("GET", "/v1/settings/common/market-symbols", "markets", self.symbols),
            Route("GET", "/market/depth", "order_book", self.depth),
        ]

    def symbols(self, ctx: Ctx, req: Req) -> Json:
        rows = [
            {
                "symbol": self.symbol(m),
                "bc": m.base.lower(),
                "qc": m.quote.lower(),
                "state": "online" if m.active else "offline",
            }
            for m in self.markets
        ]
        return {"status": "ok", "data": rows, "ts": str(ctx.now_ms), "full": 1}

    def tick(self, market: SimMarket, ctx: Ctx) -> Json:
        bids, asks = ctx.book(market)
        return {
            "bids": [[float(p), float(s)] for p, s in bids],
            "asks": [[float(p), float(s)] for p, s in asks],
            "version": 141982962388,
            "ts": ctx.now_ms,
        }

    def depth(self, ctx: Ctx, req: Req) -> Json:
        market = self.find(req.query.get("symbol", ""))
        if market is None:
            return {"status": "error", "err-code": "invalid-parameter", "err-msg": "invalid symbol"}
        return {
            "ch": f"market.{self.symbol(market)}.depth.step0",
            "status": "ok",
            "ts": ctx.now_ms,
            "tick": self.tick(market, ctx),
        }

    def greeting(self, ctx: Ctx) -> list[Reply]:
        ctx.state["ping"] = ctx.real_now_ms
        ctx.state["pending"] = []
        return [Reply({"ping": ctx.real_now_ms})]

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        if "pong" in message:
            if message["pong"] != ctx.state.get("ping"):
                return [Reply({"status": "error", "err-msg": "pong does not match ping"})]
            ctx.state["ponged"] = True
            pending, ctx.state["pending"] = ctx.state["pending"], []
            return pending
        topic = message.get("sub", "")
        parts = topic.split(".")
        market = self.find(parts[1]) if len(parts) > 2 else None
        if market is None:
            return [
                Reply(
                    {
                        "id": message.get("id"),
                        "status": "error",
                        "err-code": "bad-request",
                        "err-msg": f"invalid topic {topic}",
                        "ts": ctx.now_ms,
                    }
                )
            ]
        ack = Reply({"id": message.get("id"), "status": "ok", "subbed": topic, "ts": ctx.now_ms})
        if topic.endswith("depth.step0"):
            data = Reply({"ch": topic, "ts": ctx.now_ms, "tick": self.tick(market, ctx)}, data=True)
        else:
            price, size = trade(market.mid)
            row = {
                "id": 1,
                "ts": ctx.now_ms,
                "tradeId": 102523573486,
                "amount": float(size),
                "price": float(price),
                "direction": "buy",
            }
            data = Reply(
                {"ch": topic, "ts": ctx.now_ms, "tick": {"id": 1, "ts": ctx.now_ms, "data": [row]}},
                data=True,
            )
        if not ctx.state.get("ponged"):  # HTX streams only to clients that answer its ping
            ctx.state["pending"].append(data)
            return [ack]
        return [ack, data]

    def encode(self, reply: Reply) -> str | bytes:
        return gzip.compress(json.dumps(reply.payload).encode())
