"""Simulated Gate.io spot (``gate_io``) and USDT perpetual futures (``gate_io_perpetual``)."""

from __future__ import annotations

from decimal import Decimal

from health.simulator.exchanges.base import Ctx, Json, Reply, Req, Route, SimExchange, as_lists
from health.simulator.market_data import SimMarket, trade


class GateIo(SimExchange):
    name = "gate_io"
    separator = "_"
    book_channel = "spot.order_book_update"
    trade_channel = "spot.trades"
    # the book's query parameter, and Gate's label and message when it names no market
    book_param = "currency_pair"
    unknown_market = ("INVALID_CURRENCY", "Invalid currency pair")

    def routes(self) -> list[Route]:
        return [
            Route(
                "GET", "/api/v4/spot/time", "server_time", lambda c, r: {"server_time": c.now_ms}
            ),
            Route("GET", "/api/v4/spot/currency_pairs", "markets", self.pairs),
            Route("GET", "/api/v4/spot/order_book", "order_book", self.order_book),
        ]

    def pairs(self, ctx: Ctx, req: Req) -> Json:
        return [
            {
                "id": self.symbol(m),
                "base": m.base,
                "quote": m.quote,
                "trade_status": "tradable" if m.active else "untradable",
            }
            for m in self.markets
        ]

    def order_book(self, ctx: Ctx, req: Req) -> Json:
        market = self.find(req.query.get(self.book_param, ""))
        if market is None:
            label, message = self.unknown_market
            return {"label": label, "message": message}
        return self.book_data(market, ctx)

    def book_data(self, market: SimMarket, ctx: Ctx) -> Json:
        bids, asks = ctx.book(market)
        return {
            "id": 1890172054,
            "current": ctx.now_ms,
            "update": ctx.now_ms,
            "asks": as_lists(asks),
            "bids": as_lists(bids),
        }

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        channel = message.get("channel")
        market = self.find((message.get("payload") or [""])[0])
        now = int(ctx.now_s)
        if market is None:
            return [
                Reply(
                    {
                        "time": now,
                        "channel": channel,
                        "event": "subscribe",
                        "error": {"code": 2, "message": "unknown currency pair"},
                        "result": {"status": "fail"},
                    }
                )
            ]
        ack = Reply(
            {"time": now, "channel": channel, "event": "subscribe", "result": {"status": "success"}}
        )
        return [
            ack,
            Reply(
                {
                    "time": now,
                    "channel": channel,
                    "event": "update",
                    "result": self.update(channel, market, ctx),
                },
                data=True,
            ),
        ]

    def update(self, channel: str, market: SimMarket, ctx: Ctx) -> Json:
        bids, asks = ctx.book(market)
        if channel == self.book_channel:
            return {
                "t": ctx.now_ms,
                "e": "depthUpdate",
                "E": int(ctx.now_s),
                "s": self.symbol(market),
                "U": 48776301,
                "u": 48776306,
                "b": as_lists(bids[:1]),
                "a": as_lists(asks[:1]),
            }
        price, size = trade(market.mid)
        return {
            "id": 309143071,
            "create_time": int(ctx.now_s),
            "create_time_ms": f"{ctx.now_ms}.0",
            "side": "sell",
            "currency_pair": self.symbol(market),
            "amount": size,
            "price": price,
        }


class GateIoPerpetual(GateIo):
    name = "gate_io_perpetual"
    book_channel = "futures.order_book_update"
    trade_channel = "futures.trades"
    book_param = "contract"
    unknown_market = ("CONTRACT_NOT_FOUND", "Contract not found")

    def routes(self) -> list[Route]:
        # Gate's futures API has no clock of its own: the spot one answers for both.
        spot_time = super().routes()[0]
        return [
            spot_time,
            Route("GET", "/api/v4/futures/usdt/contracts", "markets", self.contracts),
            Route("GET", "/api/v4/futures/usdt/order_book", "order_book", self.order_book),
        ]

    def contracts(self, ctx: Ctx, req: Req) -> Json:
        return [
            {
                "name": self.symbol(m),
                "type": "direct",
                "quanto_multiplier": "0.0001",
                "in_delisting": not m.active,
            }
            for m in self.markets
        ]

    def book_data(self, market: SimMarket, ctx: Ctx) -> Json:
        # sizes in whole contracts, time in seconds
        bids, asks = ctx.book(market)
        return {
            "id": 123456,
            "current": ctx.now_s,
            "update": ctx.now_s,
            "asks": [{"p": p, "s": int(Decimal(s) * 100)} for p, s in asks],
            "bids": [{"p": p, "s": int(Decimal(s) * 100)} for p, s in bids],
        }

    def update(self, channel: str, market: SimMarket, ctx: Ctx) -> Json:
        bids, asks = ctx.book(market)
        if channel == self.book_channel:
            return {
                "t": ctx.now_ms,
                "s": self.symbol(market),
                "U": 2517661101,
                "u": 2517661113,
                "b": [{"p": p, "s": 10} for p, _ in bids[:1]],
                "a": [{"p": p, "s": 10} for p, _ in asks[:1]],
            }
        price, _ = trade(market.mid)
        return [
            {
                "size": -108,
                "id": "00c706e1",
                "create_time": int(ctx.now_s),
                "create_time_ms": ctx.now_ms,
                "price": price,
                "contract": self.symbol(market),
            }
        ]
