"""Simulated MEXC spot (``mexc``): protobuf stream data frames, JSON acks and pongs."""

from __future__ import annotations

from health.connectors import protobuf_wire
from health.simulator.exchanges.base import Ctx, Json, Reply, Req
from health.simulator.exchanges.binance import Binance
from health.simulator.market_data import USDT_MARKETS, SimMarket

# Listed and "enabled", but for margin only: Hummingbot's MEXC connector skips it.
MEXC_MARGIN_ONLY = SimMarket("DOGE", "USDT")


class Mexc(Binance):
    name = "mexc"
    markets = (*USDT_MARKETS, MEXC_MARGIN_ONLY)

    def symbol_info(self, m: SimMarket) -> Json:
        return {
            "symbol": self.symbol(m),
            "status": "1" if m.active else "2",
            "baseAsset": m.base,
            "quoteAsset": m.quote,
            "isSpotTradingAllowed": True,
            "permissions": ["MARGIN"] if m == MEXC_MARGIN_ONLY else ["SPOT", "MARGIN"],
        }

    def depth(self, ctx: Ctx, req: Req) -> Json:
        payload = super().depth(ctx, req)
        if "bids" in payload:
            payload["timestamp"] = ctx.now_ms
        return payload

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        if message.get("method") == "PING":
            return [Reply({"id": 0, "code": 0, "msg": "PONG"})]
        channels = message.get("params", [])
        markets = [self.find(channel.rsplit("@", 1)[-1]) for channel in channels]
        if not channels or None in markets:
            return [
                Reply(
                    {
                        "id": message.get("id", 0),
                        "code": 0,
                        "msg": f"Not Subscribed successfully! [{','.join(channels)}].  "
                        "Reason: Blocked! ",
                    }
                )
            ]
        replies = [Reply({"id": message.get("id", 0), "code": 0, "msg": ",".join(channels)})]
        for channel, market in zip(channels, markets, strict=True):
            if market is not None and "aggre.depth" in channel:
                bids, asks = ctx.book(market)
                frame = protobuf_wire.encode_depths_push(
                    channel=channel,
                    symbol=self.symbol(market),
                    send_time=ctx.now_ms,
                    bids=[{"price": p, "quantity": s} for p, s in bids[:1]],
                    asks=[{"price": p, "quantity": s} for p, s in asks[:1]],
                    from_version="17521975448",
                    to_version="17521975455",
                )
                replies.append(Reply(frame, data=True))
        return replies
