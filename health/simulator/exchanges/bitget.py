"""Simulated Bitget spot (``bitget``) and USDT-M futures (``bitget_perpetual``), API v2."""

from __future__ import annotations

from health.simulator.exchanges.base import Ctx, Json, Reply, Req, Route, SimExchange, as_lists
from health.simulator.market_data import SimMarket, trade


class Bitget(SimExchange):
    name = "bitget"
    inst_type = "SPOT"

    def ok(self, data: Json, ctx: Ctx) -> Json:
        return {"code": "00000", "msg": "success", "requestTime": ctx.now_ms, "data": data}

    def routes(self) -> list[Route]:
        return [
            Route(
                "GET",
                "/api/v2/public/time",
                "server_time",
                lambda c, r: self.ok({"serverTime": str(c.now_ms)}, c),
            ),
            Route("GET", "/api/v2/spot/public/symbols", "markets", self.symbols),
            Route("GET", "/api/v2/spot/market/orderbook", "order_book", self.orderbook),
        ]

    def symbols(self, ctx: Ctx, req: Req) -> Json:
        rows = [
            {
                "symbol": self.symbol(m),
                "baseCoin": m.base,
                "quoteCoin": m.quote,
                "status": "online" if m.active else "halt",
            }
            for m in self.markets
        ]
        return self.ok(rows, ctx)

    def orderbook(self, ctx: Ctx, req: Req) -> Json:
        """Spot's ``orderbook`` and the futures' ``merge-depth``: the same answer but for the
        book's own fields (``book_data``)."""
        market = self.find(req.query.get("symbol", ""))
        if market is None:
            return {
                "code": "40034",
                "msg": "Parameter does not exist",
                "requestTime": ctx.now_ms,
                "data": None,
            }
        return self.ok(self.book_data(market, ctx), ctx)

    def book_data(self, market: SimMarket, ctx: Ctx) -> Json:
        bids, asks = ctx.book(market)
        return {"asks": as_lists(asks), "bids": as_lists(bids), "ts": str(ctx.now_ms)}

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        if message == "ping":
            return [Reply("pong")]
        replies = []
        for arg in message.get("args", []):
            market = self.find(arg.get("instId", ""))
            if market is None or arg.get("instType") != self.inst_type:
                return [
                    Reply(
                        {
                            "event": "error",
                            "arg": arg,
                            "code": 30001,
                            "msg": f"instType:{arg.get('instType')},channel:{arg.get('channel')},"
                            f"instId:{arg.get('instId')} doesn't exist",
                        }
                    )
                ]
            replies.append(Reply({"event": "subscribe", "arg": arg}))
            if arg["channel"] == "books":
                bids, asks = ctx.book(market)
                row = {
                    "asks": as_lists(asks),
                    "bids": as_lists(bids),
                    "checksum": 0,
                    "seq": 123,
                    "ts": str(ctx.now_ms),
                }
            else:
                price, size = trade(market.mid)
                row = {
                    "ts": str(ctx.now_ms),
                    "price": price,
                    "size": size,
                    "side": "buy",
                    "tradeId": "1",
                }
            replies.append(
                Reply(
                    {"action": "snapshot", "arg": arg, "data": [row], "ts": ctx.now_ms}, data=True
                )
            )
        return replies


class BitgetPerpetual(Bitget):
    name = "bitget_perpetual"
    inst_type = "USDT-FUTURES"

    def routes(self) -> list[Route]:
        return [
            self.routes_time(),
            Route("GET", "/api/v2/mix/market/contracts", "markets", self.contracts),
            Route("GET", "/api/v2/mix/market/merge-depth", "order_book", self.orderbook),
        ]

    def routes_time(self) -> Route:
        return super().routes()[0]

    def contracts(self, ctx: Ctx, req: Req) -> Json:
        if req.query.get("productType") != self.inst_type:
            return self.ok([], ctx)
        rows = [
            {
                "symbol": self.symbol(m),
                "baseCoin": m.base,
                "quoteCoin": m.quote,
                "symbolStatus": "normal" if m.active else "maintain",
                "deliveryTime": "",
            }
            for m in self.markets
        ]
        rows.append(
            {
                "symbol": "BTCUSDT_250926",
                "baseCoin": "BTC",
                "quoteCoin": "USDT",
                "symbolStatus": "normal",
                "deliveryTime": "1758873600000",
            }
        )
        return self.ok(rows, ctx)

    def book_data(self, market: SimMarket, ctx: Ctx) -> Json:
        # merge-depth answers numbers, not strings, and its price scale
        bids, asks = ctx.book(market)
        return {
            "asks": [[float(p), float(s)] for p, s in asks],
            "bids": [[float(p), float(s)] for p, s in bids],
            "ts": str(ctx.now_ms),
            "scale": "0.1",
        }
