"""Simulated BitMart spot (``bitmart``): raw-deflate compressed stream data frames."""

from __future__ import annotations

import json
import zlib

from health.simulator.exchanges.base import Ctx, Json, Reply, Req, Route, SimExchange, as_lists
from health.simulator.market_data import trade


class Bitmart(SimExchange):
    name = "bitmart"
    separator = "_"

    def ok(self, data: Json) -> Json:
        return {"code": 1000, "trace": "sim", "message": "OK", "data": data}

    def routes(self) -> list[Route]:
        return [
            Route(
                "GET",
                "/system/time",
                "server_time",
                lambda c, r: self.ok({"server_time": c.now_ms}),
            ),
            Route("GET", "/spot/v1/symbols/details", "markets", self.details),
            Route("GET", "/spot/quotation/v3/books", "order_book", self.books),
        ]

    def details(self, ctx: Ctx, req: Req) -> Json:
        rows = [
            {
                "symbol": self.symbol(m),
                "base_currency": m.base,
                "quote_currency": m.quote,
                "trade_status": "trading" if m.active else "pre-trade",
            }
            for m in self.markets
        ]
        return self.ok({"symbols": rows})

    def books(self, ctx: Ctx, req: Req) -> Json:
        market = self.find(req.query.get("symbol", ""))
        if market is None:
            return {"code": 51500, "message": "Invalid symbol", "trace": "sim", "data": {}}
        bids, asks = ctx.book(market)
        return self.ok(
            {
                "ts": str(ctx.now_ms),
                "symbol": self.symbol(market),
                "asks": as_lists(asks),
                "bids": as_lists(bids),
            }
        )

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        if message == "ping":
            return [Reply("pong")]
        replies = []
        for arg in message.get("args", []):
            table, _, symbol = arg.partition(":")
            market = self.find(symbol)
            if market is None:
                return [
                    Reply(
                        {
                            "event": "subscribe",
                            "errorCode": "90004",
                            "errorMessage": f"Invalid symbol {symbol}",
                        }
                    )
                ]
            replies.append(Reply({"event": "subscribe", "topic": arg}))
            if table.startswith("spot/depth"):
                bids, asks = ctx.book(market)
                row = {
                    "asks": as_lists(asks),
                    "bids": as_lists(bids),
                    "symbol": symbol,
                    "ms_t": ctx.now_ms,
                }
            else:
                price, size = trade(market.mid)
                row = {
                    "symbol": symbol,
                    "price": price,
                    "side": "buy",
                    "size": size,
                    "s_t": int(ctx.now_s),
                }
            replies.append(Reply({"table": table, "data": [row]}, data=True))
        return replies

    def encode(self, reply: Reply) -> str | bytes:
        if not reply.data:
            return super().encode(reply)
        compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)  # raw deflate, as BitMart sends
        return compressor.compress(json.dumps(reply.payload).encode()) + compressor.flush()
