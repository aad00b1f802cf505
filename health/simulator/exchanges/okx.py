"""Simulated OKX spot (``okx``) and USDT-margined swaps (``okx_perpetual``)."""

from __future__ import annotations

from health.simulator.exchanges.base import Ctx, Json, Reply, Req, Route, SimExchange
from health.simulator.market_data import SimMarket, trade


class Okx(SimExchange):
    name = "okx"
    inst_type = "SPOT"
    separator = "-"

    def routes(self) -> list[Route]:
        return [
            Route(
                "GET",
                "/api/v5/public/time",
                "server_time",
                lambda c, r: self.ok([{"ts": str(c.now_ms)}]),
            ),
            Route("GET", "/api/v5/public/instruments", "markets", self.instruments),
            Route("GET", "/api/v5/market/books", "order_book", self.books),
            Route("GET", "/api/v5/system/status", "status", self.system_status),
        ]

    def system_status(self, ctx: Ctx, req: Req) -> Json:
        if not ctx.in_maintenance:
            return self.ok([])
        begin = ctx.real_now_ms - 10 * 60 * 1000
        return self.ok(
            [
                {
                    "title": "Spot and derivatives system upgrade",
                    "state": "ongoing",
                    "begin": str(begin),
                    "end": str(begin + 2 * 60 * 60 * 1000),
                    "serviceType": "0",
                    "system": "unified",
                }
            ]
        )

    def ok(self, data: Json) -> Json:
        return {"code": "0", "msg": "", "data": data}

    def instruments(self, ctx: Ctx, req: Req) -> Json:
        if req.query.get("instType") != self.inst_type:
            return self.ok([])
        return self.ok([self.instrument(m) for m in self.markets])

    def instrument(self, m: SimMarket) -> Json:
        return {
            "instId": self.symbol(m),
            "instType": "SPOT",
            "baseCcy": m.base,
            "quoteCcy": m.quote,
            "state": "live" if m.active else "suspend",
            "tickSz": "0.1",
            "lotSz": "0.00000001",
            "minSz": "0.00001",
        }

    def books(self, ctx: Ctx, req: Req) -> Json:
        market = self.find(req.query.get("instId", ""))
        if market is None:
            return {"code": "51001", "msg": "Instrument ID does not exist", "data": []}
        return self.ok([self.book_data(market, ctx)])

    def book_data(self, market: SimMarket, ctx: Ctx) -> Json:
        bids, asks = ctx.book(market)
        return {
            "asks": [[p, s, "0", "1"] for p, s in asks],
            "bids": [[p, s, "0", "2"] for p, s in bids],
            "ts": str(ctx.now_ms),
        }

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        if message == "ping":
            return [Reply("pong")]
        replies = []
        for arg in message.get("args", []):
            market = self.find(arg.get("instId", ""))
            if market is None:
                return [
                    Reply(
                        {
                            "event": "error",
                            "code": "60018",
                            "msg": f"Wrong URL or channel:{arg.get('channel')},"
                            f"instId:{arg.get('instId')} doesn't exist",
                            "connId": "sim",
                        }
                    )
                ]
            replies.append(Reply({"event": "subscribe", "arg": arg, "connId": "sim"}))
            if arg["channel"] == "books":
                data = {**self.book_data(market, ctx), "checksum": 0, "seqId": 1, "prevSeqId": -1}
                replies.append(Reply({"arg": arg, "action": "snapshot", "data": [data]}, data=True))
            elif arg["channel"] == "trades":
                price, size = trade(market.mid)
                row = {
                    "instId": arg["instId"],
                    "tradeId": "130639474",
                    "px": price,
                    "sz": size,
                    "side": "buy",
                    "ts": str(ctx.now_ms),
                }
                replies.append(Reply({"arg": arg, "data": [row]}, data=True))
        return replies


class OkxPerpetual(Okx):
    name = "okx_perpetual"
    inst_type = "SWAP"

    def symbol(self, market: SimMarket) -> str:
        return f"{market.base}-{market.quote}-SWAP"

    def instrument(self, m: SimMarket) -> Json:
        return {
            "instId": self.symbol(m),
            "instType": "SWAP",
            "baseCcy": "",
            "quoteCcy": "",
            "ctType": "linear",
            "ctVal": "0.01",
            "ctValCcy": m.base,
            "settleCcy": m.quote,
            "state": "live" if m.active else "suspend",
        }
