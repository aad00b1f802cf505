"""Simulated KuCoin spot (``kucoin``) and futures (``kucoin_perpetual``), with the public token
request that announces the stream."""

from __future__ import annotations

from decimal import Decimal

from health.simulator.exchanges.base import Ctx, Json, Reply, Req, Route, SimExchange, as_lists
from health.simulator.market_data import SimMarket, trade

SIM_TOKEN = "simulator-public-token"  # noqa: S105 (not a secret: the simulator's own token)


class Kucoin(SimExchange):
    name = "kucoin"
    separator = "-"
    book_path = "/api/v1/market/orderbook/level2_100"
    unknown_symbol = "symbol not exists"

    def envelope(self, data: Json) -> Json:
        return {"code": "200000", "data": data}

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/api/v1/timestamp", "server_time", lambda c, r: self.envelope(c.now_ms)),
            Route("GET", "/api/v2/symbols", "markets", self.symbols),
            Route("GET", self.book_path, "order_book", self.order_book),
            Route("POST", "/api/v1/bullet-public", "stream", self.bullet),
            Route("GET", "/api/v1/status", "status", self.system_status),
        ]

    def system_status(self, ctx: Ctx, req: Req) -> Json:
        if ctx.in_maintenance:
            return self.envelope({"status": "close", "msg": "upgrade match engine"})
        return self.envelope({"status": "open", "msg": ""})

    def symbols(self, ctx: Ctx, req: Req) -> Json:
        return self.envelope(
            [
                {
                    "symbol": self.symbol(m),
                    "name": self.symbol(m),
                    "baseCurrency": m.base,
                    "quoteCurrency": m.quote,
                    "enableTrading": m.active,
                }
                for m in self.markets
            ]
        )

    def order_book(self, ctx: Ctx, req: Req) -> Json:
        market = self.find(req.query.get("symbol", ""))
        if market is None:
            return {"code": "400100", "msg": self.unknown_symbol}
        return self.envelope(self.book_data(market, ctx))

    def book_data(self, market: SimMarket, ctx: Ctx) -> Json:
        bids, asks = ctx.book(market)
        return {
            "time": ctx.now_ms,
            "sequence": "1630556205456",
            "bids": as_lists(bids),
            "asks": as_lists(asks),
        }

    def bullet(self, ctx: Ctx, req: Req) -> Json:
        return self.envelope(
            {
                "token": SIM_TOKEN,
                "instanceServers": [
                    {
                        "endpoint": f"ws://{ctx.host}/{self.name}/ws",
                        "protocol": "websocket",
                        "encrypt": False,
                        "pingInterval": 18000,
                        "pingTimeout": 10000,
                    }
                ],
            }
        )

    def greeting(self, ctx: Ctx) -> list[Reply]:
        if ctx.state.get("token") != SIM_TOKEN:
            return [Reply({"id": "sim", "type": "error", "code": 401, "data": "token is invalid"})]
        return [Reply({"id": "sim-connection", "type": "welcome"})]

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        if message.get("type") == "ping":
            return [Reply({"id": message.get("id"), "type": "pong"})]
        if message.get("type") != "subscribe":
            return []
        topic, _, symbol = message["topic"].partition(":")
        market = self.find(symbol)
        if market is None:
            return [
                Reply(
                    {
                        "id": message["id"],
                        "type": "error",
                        "code": 404,
                        "data": f"topic {message['topic']} is not found",
                    }
                )
            ]
        replies = [Reply({"id": message["id"], "type": "ack"})] if message.get("response") else []
        subject, data = self.event(topic, market, ctx)
        push = {
            "type": "message",
            "topic": f"{topic}:{self.symbol(market)}",
            "subject": subject,
            "data": data,
        }
        return [*replies, Reply(push, data=True)]

    def event(self, topic: str, market: SimMarket, ctx: Ctx) -> tuple[str, Json]:
        """The subject and data of the first message pushed on ``topic``."""
        bids, asks = ctx.book(market)
        symbol = self.symbol(market)
        if topic == "/market/level2":
            return "trade.l2update", {
                "sequenceStart": 1545896669105,
                "sequenceEnd": 1545896669106,
                "symbol": symbol,
                "changes": {
                    "asks": [[*asks[0], "1545896669105"]] if asks else [],
                    "bids": [[*bids[0], "1545896669106"]] if bids else [],
                },
                "time": ctx.now_ms,
            }
        price, size = trade(market.mid)
        return "trade.l3match", {
            "sequence": "1545896669145",
            "type": "match",
            "symbol": symbol,
            "side": "buy",
            "price": price,
            "size": size,
            "tradeId": "5c24c5da03aa673885cd67aa",
            "time": str(ctx.now_ms * 1_000_000),
        }


class KucoinPerpetual(Kucoin):
    name = "kucoin_perpetual"
    markets = (
        SimMarket("XBT", "USDT"),
        SimMarket("ETH", "USDT"),
        SimMarket("SOL", "USDT", active=False),
    )
    book_path = "/api/v1/level2/depth100"
    unknown_symbol = "contract not exists"

    def symbol(self, market: SimMarket) -> str:
        return f"{market.base}{market.quote}M"

    def routes(self) -> list[Route]:
        routes = super().routes()
        routes[1] = Route("GET", "/api/v1/contracts/active", "markets", self.contracts)
        return routes

    def contracts(self, ctx: Ctx, req: Req) -> Json:
        return self.envelope(
            [
                {
                    "symbol": self.symbol(m),
                    "baseCurrency": m.base,
                    "quoteCurrency": m.quote,
                    "settleCurrency": m.quote,
                    "multiplier": 0.001,
                    "status": "Open" if m.active else "Paused",
                }
                for m in self.markets
            ]
        )

    def book_data(self, market: SimMarket, ctx: Ctx) -> Json:
        # sizes in contracts (multiplier 0.001), time in nanoseconds
        bids, asks = ctx.book(market)
        return {
            "symbol": self.symbol(market),
            "sequence": 100,
            "bids": [[float(p), int(Decimal(s) * 1000)] for p, s in bids],
            "asks": [[float(p), int(Decimal(s) * 1000)] for p, s in asks],
            "ts": ctx.now_ms * 1_000_000,
        }

    def event(self, topic: str, market: SimMarket, ctx: Ctx) -> tuple[str, Json]:
        _, asks = ctx.book(market)
        if topic == "/contractMarket/level2":
            price = asks[0][0] if asks else "0"
            return "level2", {"sequence": 18, "change": f"{price},sell,83", "timestamp": ctx.now_ms}
        price, _ = trade(market.mid)
        return "match", {
            "sequence": 1545896669145,
            "symbol": self.symbol(market),
            "side": "buy",
            "size": 3,
            "price": price,
            "tradeId": "5c24c5da03aa673885cd67aa",
            "ts": ctx.now_ms * 1_000_000,
        }
