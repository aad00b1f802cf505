"""Simulated Bybit spot (``bybit``) and USDT linear perpetuals (``bybit_perpetual``)."""

from __future__ import annotations

from health.simulator.exchanges.base import Ctx, Json, Reply, Req, Route, SimExchange, as_lists
from health.simulator.market_data import SimMarket, trade


class Bybit(SimExchange):
    name = "bybit"
    category = "spot"

    def result(self, result: Json) -> Json:
        return {"retCode": 0, "retMsg": "OK", "result": result, "retExtInfo": {}, "time": 0}

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/v5/market/time", "server_time", self.time),
            Route("GET", "/v5/market/instruments-info", "markets", self.instruments),
            Route("GET", "/v5/market/orderbook", "order_book", self.orderbook),
        ]

    def time(self, ctx: Ctx, req: Req) -> Json:
        payload = self.result(
            {"timeSecond": str(int(ctx.now_s)), "timeNano": str(ctx.now_ms * 1_000_000)}
        )
        payload["time"] = ctx.now_ms
        return payload

    def instruments(self, ctx: Ctx, req: Req) -> Json:
        if req.query.get("category") != self.category:
            return {"retCode": 10001, "retMsg": "params error: category", "result": {}}
        return self.result(
            {
                "category": self.category,
                "list": [self.instrument(m) for m in self.markets],
                "nextPageCursor": "",
            }
        )

    def instrument(self, m: SimMarket) -> Json:
        return {
            "symbol": self.symbol(m),
            "baseCoin": m.base,
            "quoteCoin": m.quote,
            "status": "Trading" if m.active else "Closed",
        }

    def orderbook(self, ctx: Ctx, req: Req) -> Json:
        market = self.find(req.query.get("symbol", ""))
        if market is None or req.query.get("category") != self.category:
            return {"retCode": 10001, "retMsg": "Not supported symbols", "result": {}}
        bids, asks = ctx.book(market)
        return self.result(
            {
                "s": self.symbol(market),
                "b": as_lists(bids),
                "a": as_lists(asks),
                "ts": ctx.now_ms,
                "u": 230704,
                "seq": 1432604333,
                "cts": ctx.now_ms,
            }
        )

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        if message.get("op") == "ping":
            return [Reply({"success": True, "ret_msg": "pong", "conn_id": "sim", "op": "ping"})]
        replies = []
        for topic in message.get("args", []):
            kind, _, symbol = topic.rpartition(".")
            market = self.find(symbol)
            if market is None:
                return [
                    Reply(
                        {
                            "success": False,
                            "ret_msg": f"Invalid symbol :[{topic}]",
                            "conn_id": "sim",
                            "req_id": "",
                            "op": "subscribe",
                        }
                    )
                ]
            replies.append(
                Reply(
                    {
                        "success": True,
                        "ret_msg": "subscribe",
                        "conn_id": "sim",
                        "req_id": "",
                        "op": "subscribe",
                    }
                )
            )
            bids, asks = ctx.book(market)
            if kind.startswith("orderbook"):
                data = {
                    "s": symbol,
                    "b": as_lists(bids),
                    "a": as_lists(asks),
                    "u": 18521288,
                    "seq": 7961638724,
                }
                replies.append(
                    Reply(
                        {
                            "topic": topic,
                            "type": "snapshot",
                            "ts": ctx.now_ms,
                            "data": data,
                            "cts": ctx.now_ms,
                        },
                        data=True,
                    )
                )
            else:
                price, size = trade(market.mid)
                row = {
                    "T": ctx.now_ms,
                    "s": symbol,
                    "S": "Buy",
                    "v": size,
                    "p": price,
                    "L": "PlusTick",
                    "i": "20f43950",
                    "BT": False,
                }
                replies.append(
                    Reply(
                        {"topic": topic, "type": "snapshot", "ts": ctx.now_ms, "data": [row]},
                        data=True,
                    )
                )
        return replies


class BybitPerpetual(Bybit):
    name = "bybit_perpetual"
    category = "linear"

    def instrument(self, m: SimMarket) -> Json:
        return {**super().instrument(m), "contractType": "LinearPerpetual", "settleCoin": m.quote}
