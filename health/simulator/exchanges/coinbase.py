"""Simulated Coinbase Advanced Trade (``coinbase_advanced_trade``)."""

from __future__ import annotations

from health.simulator.exchanges.base import Ctx, Json, Reply, Req, Route, SimExchange
from health.simulator.market_data import USD_MARKETS, trade


class Coinbase(SimExchange):
    name = "coinbase_advanced_trade"
    markets = USD_MARKETS
    separator = "-"

    def routes(self) -> list[Route]:
        return [
            Route(
                "GET",
                "/api/v3/brokerage/time",
                "server_time",
                lambda c, r: {
                    "iso": c.iso,
                    "epochSeconds": str(int(c.now_s)),
                    "epochMillis": str(c.now_ms),
                },
            ),
            Route("GET", "/api/v3/brokerage/market/products", "markets", self.products),
            Route("GET", "/api/v3/brokerage/market/product_book", "order_book", self.product_book),
        ]

    def products(self, ctx: Ctx, req: Req) -> Json:
        rows = [
            {
                "product_id": self.symbol(m),
                "base_currency_id": m.base,
                "quote_currency_id": m.quote,
                "product_type": "SPOT",
                "trading_disabled": not m.active,
                "is_disabled": False,
                "cancel_only": False,
                "auction_mode": False,
            }
            for m in self.markets
        ]
        return {"products": rows, "num_products": len(rows)}

    def product_book(self, ctx: Ctx, req: Req) -> Json:
        market = self.find(req.query.get("product_id", ""))
        if market is None:
            return {"error": "NOT_FOUND", "message": "ProductID is invalid"}
        bids, asks = ctx.book(market)
        return {
            "pricebook": {
                "product_id": self.symbol(market),
                "bids": [{"price": p, "size": s} for p, s in bids],
                "asks": [{"price": p, "size": s} for p, s in asks],
                "time": ctx.iso,
            }
        }

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        channel = message.get("channel")
        ctx.state["sequence"] = ctx.state.get("sequence", 0) + 1
        base = {"client_id": "", "timestamp": ctx.iso, "sequence_num": ctx.state["sequence"]}
        replies = []
        for product in message.get("product_ids", []):
            market = self.find(product)
            if market is None:
                return [
                    Reply(
                        {
                            "type": "error",
                            "message": f"Failed to subscribe: unknown product {product}",
                        }
                    )
                ]
            replies.append(
                Reply(
                    {
                        **base,
                        "channel": "subscriptions",
                        "events": [{"subscriptions": {channel: [product]}}],
                    }
                )
            )
            if channel == "level2":
                bids, asks = ctx.book(market)
                updates = [
                    {"side": "bid", "event_time": ctx.iso, "price_level": p, "new_quantity": s}
                    for p, s in bids
                ]
                updates += [
                    {"side": "offer", "event_time": ctx.iso, "price_level": p, "new_quantity": s}
                    for p, s in asks
                ]
                replies.append(
                    Reply(
                        {
                            **base,
                            "channel": "l2_data",
                            "events": [
                                {"type": "snapshot", "product_id": product, "updates": updates}
                            ],
                        },
                        data=True,
                    )
                )
            elif channel == "market_trades":
                price, size = trade(market.mid)
                row = {
                    "trade_id": "12345",
                    "product_id": product,
                    "price": price,
                    "size": size,
                    "side": "BUY",
                    "time": ctx.iso,
                }
                replies.append(
                    Reply(
                        {
                            **base,
                            "channel": "market_trades",
                            "events": [{"type": "snapshot", "trades": [row]}],
                        },
                        data=True,
                    )
                )
        return replies
