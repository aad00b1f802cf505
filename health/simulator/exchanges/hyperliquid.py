"""Simulated Hyperliquid spot (``hyperliquid``) and perpetuals (``hyperliquid_perpetual``):
every REST step is ``POST /info``."""

from __future__ import annotations

import json

from health.simulator.exchanges.base import Ctx, Json, Reply, Req, Route, SimExchange
from health.simulator.market_data import SimMarket, trade


class Hyperliquid(SimExchange):
    name = "hyperliquid"
    markets = (SimMarket("HYPE", "USDC"), SimMarket("PURR", "USDC"))

    def symbol(self, market: SimMarket) -> str:
        return "PURR/USDC" if market.base == "PURR" else "@107"

    def routes(self) -> list[Route]:
        return [Route("POST", "/info", "dynamic", self.info)]

    def scope_of(self, body: Json) -> str:
        kind = body.get("type") if isinstance(body, dict) else None
        return {"meta": "server_time", "l2Book": "order_book"}.get(str(kind), "markets")

    def info(self, ctx: Ctx, req: Req) -> Json:
        kind = req.body.get("type") if isinstance(req.body, dict) else None
        if kind == "meta":
            return {"universe": [{"name": "BTC", "szDecimals": 5, "maxLeverage": 40}]}
        if kind == "spotMetaAndAssetCtxs":
            tokens = [
                {"name": "USDC", "index": 0},
                {"name": "PURR", "index": 1},
                {"name": "HYPE", "index": 150},
            ]
            universe = [
                {"name": "PURR/USDC", "tokens": [1, 0], "index": 0, "isCanonical": True},
                {"name": "@107", "tokens": [150, 0], "index": 107, "isCanonical": False},
                {"name": "@999", "tokens": [999, 0], "index": 999, "isCanonical": False},
            ]
            return [
                {"tokens": tokens, "universe": universe},
                [{"coin": "PURR/USDC", "markPx": "0.2"}],
            ]
        if kind == "l2Book":
            market = self.find(req.body.get("coin", ""))
            return self.l2_book(market, ctx) if market else None
        return {"error": f"unknown request type {kind!r}"}

    def l2_book(self, market: SimMarket, ctx: Ctx) -> Json:
        bids, asks = ctx.book(market)
        return {
            "coin": self.symbol(market),
            "time": ctx.now_ms,
            "levels": [
                [{"px": p, "sz": s, "n": 2} for p, s in bids],
                [{"px": p, "sz": s, "n": 2} for p, s in asks],
            ],
        }

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        if message.get("method") == "ping":
            return [Reply({"channel": "pong"})]
        subscription = message.get("subscription", {})
        market = self.find(subscription.get("coin", ""))
        if market is None:
            return [
                Reply(
                    {"channel": "error", "data": f"Invalid subscription {json.dumps(subscription)}"}
                )
            ]
        ack = Reply(
            {
                "channel": "subscriptionResponse",
                "data": {"method": "subscribe", "subscription": subscription},
            }
        )
        if subscription.get("type") == "l2Book":
            return [ack, Reply({"channel": "l2Book", "data": self.l2_book(market, ctx)}, data=True)]
        price, size = trade(market.mid)
        row = {
            "coin": self.symbol(market),
            "side": "B",
            "px": price,
            "sz": size,
            "time": ctx.now_ms,
            "hash": "0x3e2b",
        }
        return [ack, Reply({"channel": "trades", "data": [row]}, data=True)]


class HyperliquidPerpetual(Hyperliquid):
    name = "hyperliquid_perpetual"
    markets = (SimMarket("BTC", "USD"), SimMarket("ETH", "USD"))

    def symbol(self, market: SimMarket) -> str:
        return market.base

    def info(self, ctx: Ctx, req: Req) -> Json:
        if isinstance(req.body, dict) and req.body.get("type") == "metaAndAssetCtxs":
            universe = [
                {"name": self.symbol(m), "szDecimals": 5, "maxLeverage": 40} for m in self.markets
            ]
            universe.append({"name": "LUNA", "szDecimals": 1, "maxLeverage": 3, "isDelisted": True})
            return [{"universe": universe}, [{"markPx": str(m.mid)} for m in self.markets]]
        return super().info(ctx, req)
