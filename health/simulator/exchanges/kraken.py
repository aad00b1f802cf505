"""Simulated Kraken spot (``kraken``): REST, and WebSocket API v1 (array messages)."""

from __future__ import annotations

from typing import Any

from health.simulator.exchanges.base import Ctx, Json, Reply, Req, Route, SimExchange
from health.simulator.market_data import USD_MARKETS, Row, SimMarket, trade

KRAKEN_NAMES = {"BTC": "XBT", "DOGE": "XDG"}


class Kraken(SimExchange):
    name = "kraken"
    markets = USD_MARKETS

    def ws_name(self, m: SimMarket) -> str:
        return f"{KRAKEN_NAMES.get(m.base, m.base)}/{m.quote}"

    def symbol(self, market: SimMarket) -> str:  # altname
        return self.ws_name(market).replace("/", "")

    def key(self, m: SimMarket) -> str:  # Kraken's own pair key, e.g. XXBTZUSD
        return f"X{KRAKEN_NAMES.get(m.base, m.base)}Z{m.quote}"

    def ok(self, result: Json) -> Json:
        return {"error": [], "result": result}

    def routes(self) -> list[Route]:
        return [
            Route(
                "GET",
                "/0/public/Time",
                "server_time",
                lambda c, r: self.ok({"unixtime": int(c.now_s), "rfc1123": ""}),
            ),
            Route("GET", "/0/public/AssetPairs", "markets", self.asset_pairs),
            Route("GET", "/0/public/Depth", "order_book", self.depth),
            Route(
                "GET",
                "/0/public/SystemStatus",
                "status",
                lambda c, r: self.ok(
                    {"status": "maintenance" if c.in_maintenance else "online", "timestamp": c.iso}
                ),
            ),
        ]

    def asset_pairs(self, ctx: Ctx, req: Req) -> Json:
        pairs = {
            self.key(m): {
                "altname": self.symbol(m),
                "wsname": self.ws_name(m),
                "base": f"X{KRAKEN_NAMES.get(m.base, m.base)}",
                "quote": f"Z{m.quote}",
                "status": "online" if m.active else "cancel_only",
            }
            for m in self.markets
        }
        pairs["XXBTZUSD.d"] = {
            "altname": "XBTUSD.d",
            "wsname": "XBT/USD",
            "base": "XXBT",
            "quote": "ZUSD",
        }
        return self.ok(pairs)

    def levels(self, rows: list[Row], ctx: Ctx) -> list[list[Any]]:
        return [[p, s, int(ctx.now_s)] for p, s in rows]

    def depth(self, ctx: Ctx, req: Req) -> Json:
        market = self.find(req.query.get("pair", ""))
        if market is None:
            return {"error": ["EQuery:Unknown asset pair"]}
        bids, asks = ctx.book(market)
        return self.ok(
            {self.key(market): {"asks": self.levels(asks, ctx), "bids": self.levels(bids, ctx)}}
        )

    def greeting(self, ctx: Ctx) -> list[Reply]:
        return [
            Reply(
                {"connectionID": 1, "event": "systemStatus", "status": "online", "version": "1.9.0"}
            )
        ]

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        if message.get("event") == "ping":
            return [Reply({"event": "pong", "reqid": message.get("reqid")})]
        replies = []
        subscription = message.get("subscription", {})
        for name in message.get("pair", []):
            market = next((m for m in self.markets if self.ws_name(m) == name), None)
            if market is None:
                return [
                    Reply(
                        {
                            "errorMessage": f"Currency pair not supported {name}",
                            "event": "subscriptionStatus",
                            "pair": name,
                            "status": "error",
                            "subscription": subscription,
                        }
                    )
                ]
            channel = (
                f"book-{subscription.get('depth', 10)}"
                if subscription.get("name") == "book"
                else "trade"
            )
            replies.append(
                Reply(
                    {
                        "channelID": 10001,
                        "channelName": channel,
                        "event": "subscriptionStatus",
                        "pair": name,
                        "status": "subscribed",
                        "subscription": subscription,
                    }
                )
            )
            bids, asks = ctx.book(market)
            stamp = f"{ctx.now_s:.6f}"
            if channel == "trade":
                price, size = trade(market.mid)
                replies.append(
                    Reply([10002, [[price, size, stamp, "s", "l", ""]], "trade", name], data=True)
                )
            else:
                content = {
                    "as": [[p, s, stamp] for p, s in asks],
                    "bs": [[p, s, stamp] for p, s in bids],
                }
                replies.append(Reply([10001, content, channel, name], data=True))
        return replies
