"""Simulated Hummingbot Gateway, which serves the AMM DEX connectors: its connector list and
swap quotes."""

from __future__ import annotations

from decimal import Decimal

from health.simulator.exchanges.base import Ctx, Json, Req, Route, SimExchange
from health.simulator.market_data import SimMarket

GATEWAY_CONNECTORS = [
    ("0x", ["router"], "ethereum"),
    ("balancer", ["amm"], "ethereum"),
    ("curve", ["amm"], "ethereum"),
    ("dflow", ["router"], "solana"),
    ("jupiter", ["router"], "solana"),
    ("meteora", ["clmm"], "solana"),
    ("okx", ["router"], "solana"),
    ("orca", ["clmm"], "solana"),
    ("pancakeswap", ["amm"], "ethereum"),
    ("raydium", ["amm", "clmm"], "solana"),
    ("titan", ["router"], "solana"),
    ("uniswap", ["amm", "clmm", "router"], "ethereum"),
]
NETWORKS = {"ethereum": ["mainnet", "base", "arbitrum"], "solana": ["mainnet-beta", "devnet"]}
FEE = Decimal("0.003")


class Gateway(SimExchange):
    name = "gateway"
    markets = (SimMarket("SOL", "USDC"), SimMarket("WETH", "USDC"))

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/", "server_time", lambda c, r: {"status": "ok"}),
            Route("GET", "/config/connectors", "markets", self.connectors),
            Route("GET", "/connectors/{connector}/{kind}/quote-swap", "order_book", self.quote),
        ]

    def connectors(self, ctx: Ctx, req: Req) -> Json:
        return {
            "connectors": [
                {"name": name, "trading_types": kinds, "chain": chain, "networks": NETWORKS[chain]}
                for name, kinds, chain in GATEWAY_CONNECTORS
            ]
        }

    def quote(self, ctx: Ctx, req: Req) -> Json:
        market = self.find(f"{req.query.get('baseToken')}{req.query.get('quoteToken')}")
        if market is None:
            return {"statusCode": 404, "error": "Not Found", "message": "Token not found"}
        side = req.query.get("side", "SELL")
        price = market.mid * (1 - FEE if side == "SELL" else 1 + FEE)
        if ctx.faults.active("crossed_book", ctx.scope):
            price = market.mid * (1 + FEE if side == "SELL" else 1 - FEE)
        if ctx.faults.active("empty_book", ctx.scope):
            price = Decimal(0)
        amount = Decimal(req.query.get("amount", "0.1"))
        return {
            "quoteId": "sim-quote",
            "tokenIn": "base" if side == "SELL" else "quote",
            "tokenOut": "quote" if side == "SELL" else "base",
            "amountIn": float(amount),
            "amountOut": float(amount * price),
            "price": float(price),
            "priceImpactPct": 0.001,
        }
