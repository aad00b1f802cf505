"""Simulated Binance spot (``binance``) and USDⓈ-M futures (``binance_perpetual``)."""

from __future__ import annotations

from health.simulator.exchanges.base import Ctx, Json, Reply, Req, Route, SimExchange, as_lists
from health.simulator.market_data import SimMarket, trade


class Binance(SimExchange):
    name = "binance"
    api = "/api/v3"

    def routes(self) -> list[Route]:
        return [
            Route("GET", f"{self.api}/ping", "server_time", lambda c, r: {}),
            Route("GET", f"{self.api}/time", "server_time", lambda c, r: {"serverTime": c.now_ms}),
            Route("GET", f"{self.api}/exchangeInfo", "markets", self.exchange_info),
            Route("GET", f"{self.api}/depth", "order_book", self.depth),
            Route("GET", "/sapi/v1/system/status", "status", self.system_status),
        ]

    def system_status(self, ctx: Ctx, req: Req) -> Json:
        if ctx.in_maintenance:
            return {"status": 1, "msg": "system_maintenance"}
        return {"status": 0, "msg": "normal"}

    def exchange_info(self, ctx: Ctx, req: Req) -> Json:
        return {
            "timezone": "UTC",
            "serverTime": ctx.now_ms,
            "symbols": [self.symbol_info(m) for m in self.markets],
        }

    def symbol_info(self, m: SimMarket) -> Json:
        return {
            "symbol": self.symbol(m),
            "status": "TRADING" if m.active else "BREAK",
            "baseAsset": m.base,
            "quoteAsset": m.quote,
            "permissionSets": [["SPOT", "MARGIN"]],
        }

    def depth(self, ctx: Ctx, req: Req) -> Json:
        if self.find(req.query.get("symbol", "")) is None:
            return {"code": -1121, "msg": "Invalid symbol."}
        bids, asks = ctx.book(self.market(req.query["symbol"]))
        return {"lastUpdateId": 1027024, "bids": as_lists(bids), "asks": as_lists(asks)}

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        replies = []
        for stream in message.get("params", []):
            symbol, _, kind = stream.partition("@")
            market = self.find(symbol.upper())
            if market is None:
                return [
                    Reply(
                        {
                            "error": {"code": 2, "msg": f"Invalid stream {stream}"},
                            "id": message.get("id"),
                        }
                    )
                ]
            replies.append(Reply({"result": None, "id": message.get("id")}))
            replies.append(Reply(self.event(kind, market, ctx, stream), data=True))
        return replies

    def event(self, kind: str, market: SimMarket, ctx: Ctx, stream: str) -> Json:
        bids, asks = ctx.book(market)
        if kind.startswith("depth"):
            return {
                "e": "depthUpdate",
                "E": ctx.now_ms,
                "s": self.symbol(market),
                "U": 157,
                "u": 160,
                "b": as_lists(bids[:1]),
                "a": as_lists(asks[:1]),
            }
        price, size = trade(market.mid)
        return {
            "e": "trade",
            "E": ctx.now_ms,
            "s": self.symbol(market),
            "t": 12345,
            "p": price,
            "q": size,
            "T": ctx.now_ms,
            "m": True,
        }


class BinancePerpetual(Binance):
    name = "binance_perpetual"
    api = "/fapi/v1"

    def symbol_info(self, m: SimMarket) -> Json:
        return {
            "symbol": self.symbol(m),
            "pair": self.symbol(m),
            "contractType": "PERPETUAL",
            "status": "TRADING" if m.active else "SETTLING",
            "baseAsset": m.base,
            "quoteAsset": m.quote,
            "marginAsset": m.quote,
        }

    def depth(self, ctx: Ctx, req: Req) -> Json:
        payload = super().depth(ctx, req)
        if "bids" in payload:
            payload.update({"E": ctx.now_ms, "T": ctx.now_ms})
        return payload

    def event(self, kind: str, market: SimMarket, ctx: Ctx, stream: str) -> Json:
        return {"stream": stream, "data": super().event(kind, market, ctx, stream)}
