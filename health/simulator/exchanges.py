"""Each simulated exchange: its REST routes and its WebSocket conversation, in the shapes the
real APIs use (field names, nesting and encodings as in each exchange's public API docs and
the mocked responses of Hummingbot's own connector tests)."""

from __future__ import annotations

import gzip
import json
import zlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar

from health.connectors import protobuf_wire
from health.simulator.faults import STALE_BY_MS, Faults
from health.simulator.market_data import USD_MARKETS, USDT_MARKETS, Row, SimMarket, book, trade

Json = Any


@dataclass
class Ctx:
    """What a handler needs: the faults in force, the (possibly stale) clock, the host."""

    faults: Faults
    scope: str
    real_now_ms: int
    host: str
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def in_maintenance(self) -> bool:
        """The ``maintenance`` fault, whatever its scope: what status endpoints report."""
        return self.faults.fault == "maintenance"

    @property
    def now_ms(self) -> int:
        stale = self.faults.active("stale_timestamp", self.scope)
        return self.real_now_ms - STALE_BY_MS if stale else self.real_now_ms

    @property
    def now_s(self) -> float:
        return self.now_ms / 1000

    @property
    def iso(self) -> str:
        moment = datetime.fromtimestamp(self.now_s, tz=UTC)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    def book(self, market: SimMarket) -> tuple[list[Row], list[Row]]:
        return book(
            market.mid,
            empty=self.faults.active("empty_book", self.scope),
            crossed=self.faults.active("crossed_book", self.scope),
        )


@dataclass(frozen=True)
class Req:
    query: Mapping[str, str]
    body: Json
    params: Mapping[str, str]


@dataclass(frozen=True)
class Route:
    method: str
    pattern: str
    scope: str
    handler: Callable[[Ctx, Req], Json]

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """Path parameters if ``method path`` is this route (``/v4/orderbooks/{ticker}``)."""
        wanted = self.pattern.strip("/").split("/")
        given = path.strip("/").split("/")
        if method != self.method or len(wanted) != len(given):
            return None
        params = {}
        for want, got in zip(wanted, given, strict=True):
            if want.startswith("{") and want.endswith("}"):
                if not got:
                    return None
                params[want[1:-1]] = got
            elif want != got:
                return None
        return params


@dataclass(frozen=True)
class Reply:
    """A frame to send: dict/list as JSON text, str as text, bytes as binary.
    ``data`` frames are market data (withheld by ws_silent, delayed by latency)."""

    payload: Json
    data: bool = False


class NotFound(Exception):
    pass


def _lists(rows: list[Row]) -> list[list[str]]:
    return [[price, size] for price, size in rows]


class SimExchange(ABC):
    name: ClassVar[str]
    markets: ClassVar[tuple[SimMarket, ...]] = USDT_MARKETS

    @abstractmethod
    def routes(self) -> list[Route]:
        """The exchange's REST and WebSocket routes."""

    def symbol(self, market: SimMarket) -> str:
        return f"{market.base}{market.quote}"

    def find(self, symbol: str) -> SimMarket | None:
        return next((m for m in self.markets if self.symbol(m) == symbol), None)

    def market(self, symbol: str) -> SimMarket:
        found = self.find(symbol)
        if found is None:
            raise NotFound(symbol)
        return found

    def scope_of(self, body: Json) -> str:
        """For APIs where one path serves every step (Hyperliquid's POST /info)."""
        return "markets"

    def greeting(self, ctx: Ctx) -> list[Reply]:
        return []

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        return []

    def encode(self, reply: Reply) -> str | bytes:
        if isinstance(reply.payload, str | bytes):
            return reply.payload
        return json.dumps(reply.payload)


# -- Binance -----------------------------------------------------------------------------
class Binance(SimExchange):
    name = "binance"
    api = "/api/v3"

    def routes(self) -> list[Route]:
        return [
            Route("GET", f"{self.api}/ping", "server_time", lambda c, r: {}),
            Route("GET", f"{self.api}/time", "server_time", lambda c, r: {"serverTime": c.now_ms}),
            Route("GET", f"{self.api}/exchangeInfo", "markets", self.exchange_info),
            Route("GET", f"{self.api}/depth", "order_book", self.depth),
            Route("GET", "/sapi/v1/system/status", "status", self.system_status),
        ]

    def system_status(self, ctx: Ctx, req: Req) -> Json:
        if ctx.in_maintenance:
            return {"status": 1, "msg": "system_maintenance"}
        return {"status": 0, "msg": "normal"}

    def exchange_info(self, ctx: Ctx, req: Req) -> Json:
        return {
            "timezone": "UTC",
            "serverTime": ctx.now_ms,
            "symbols": [self.symbol_info(m) for m in self.markets],
        }

    def symbol_info(self, m: SimMarket) -> Json:
        return {
            "symbol": self.symbol(m),
            "status": "TRADING" if m.active else "BREAK",
            "baseAsset": m.base,
            "quoteAsset": m.quote,
            "permissionSets": [["SPOT", "MARGIN"]],
        }

    def depth(self, ctx: Ctx, req: Req) -> Json:
        if self.find(req.query.get("symbol", "")) is None:
            return {"code": -1121, "msg": "Invalid symbol."}
        bids, asks = ctx.book(self.market(req.query["symbol"]))
        return {"lastUpdateId": 1027024, "bids": _lists(bids), "asks": _lists(asks)}

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        replies = []
        for stream in message.get("params", []):
            symbol, _, kind = stream.partition("@")
            market = self.find(symbol.upper())
            if market is None:
                return [
                    Reply(
                        {
                            "error": {"code": 2, "msg": f"Invalid stream {stream}"},
                            "id": message.get("id"),
                        }
                    )
                ]
            replies.append(Reply({"result": None, "id": message.get("id")}))
            replies.append(Reply(self.event(kind, market, ctx, stream), data=True))
        return replies

    def event(self, kind: str, market: SimMarket, ctx: Ctx, stream: str) -> Json:
        bids, asks = ctx.book(market)
        if kind.startswith("depth"):
            return {
                "e": "depthUpdate",
                "E": ctx.now_ms,
                "s": self.symbol(market),
                "U": 157,
                "u": 160,
                "b": _lists(bids[:1]),
                "a": _lists(asks[:1]),
            }
        price, size = trade(market.mid)
        return {
            "e": "trade",
            "E": ctx.now_ms,
            "s": self.symbol(market),
            "t": 12345,
            "p": price,
            "q": size,
            "T": ctx.now_ms,
            "m": True,
        }


class BinancePerpetual(Binance):
    name = "binance_perpetual"
    api = "/fapi/v1"

    def symbol_info(self, m: SimMarket) -> Json:
        return {
            "symbol": self.symbol(m),
            "pair": self.symbol(m),
            "contractType": "PERPETUAL",
            "status": "TRADING" if m.active else "SETTLING",
            "baseAsset": m.base,
            "quoteAsset": m.quote,
            "marginAsset": m.quote,
        }

    def depth(self, ctx: Ctx, req: Req) -> Json:
        payload = super().depth(ctx, req)
        if "bids" in payload:
            payload.update({"E": ctx.now_ms, "T": ctx.now_ms})
        return payload

    def event(self, kind: str, market: SimMarket, ctx: Ctx, stream: str) -> Json:
        return {"stream": stream, "data": super().event(kind, market, ctx, stream)}


# -- KuCoin ------------------------------------------------------------------------------
SIM_TOKEN = "simulator-public-token"  # noqa: S105 (not a secret: the simulator's own token)


class Kucoin(SimExchange):
    name = "kucoin"
    book_path = "/api/v1/market/orderbook/level2_100"

    def symbol(self, market: SimMarket) -> str:
        return f"{market.base}-{market.quote}"

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
            return {"code": "400100", "msg": "symbol not exists"}
        bids, asks = ctx.book(market)
        return self.envelope(
            {
                "time": ctx.now_ms,
                "sequence": "1630556205456",
                "bids": _lists(bids),
                "asks": _lists(asks),
            }
        )

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
        return [*replies, Reply(self.event(topic, market, ctx), data=True)]

    def event(self, topic: str, market: SimMarket, ctx: Ctx) -> Json:
        bids, asks = ctx.book(market)
        symbol = self.symbol(market)
        if topic == "/market/level2":
            return {
                "type": "message",
                "topic": f"{topic}:{symbol}",
                "subject": "trade.l2update",
                "data": {
                    "sequenceStart": 1545896669105,
                    "sequenceEnd": 1545896669106,
                    "symbol": symbol,
                    "changes": {
                        "asks": [[*asks[0], "1545896669105"]] if asks else [],
                        "bids": [[*bids[0], "1545896669106"]] if bids else [],
                    },
                    "time": ctx.now_ms,
                },
            }
        price, size = trade(market.mid)
        return {
            "type": "message",
            "topic": f"{topic}:{symbol}",
            "subject": "trade.l3match",
            "data": {
                "sequence": "1545896669145",
                "type": "match",
                "symbol": symbol,
                "side": "buy",
                "price": price,
                "size": size,
                "tradeId": "5c24c5da03aa673885cd67aa",
                "time": str(ctx.now_ms * 1_000_000),
            },
        }


class KucoinPerpetual(Kucoin):
    name = "kucoin_perpetual"
    markets = (
        SimMarket("XBT", "USDT"),
        SimMarket("ETH", "USDT"),
        SimMarket("SOL", "USDT", active=False),
    )
    book_path = "/api/v1/level2/depth100"

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

    def order_book(self, ctx: Ctx, req: Req) -> Json:
        market = self.find(req.query.get("symbol", ""))
        if market is None:
            return {"code": "400100", "msg": "contract not exists"}
        bids, asks = ctx.book(market)
        return self.envelope(
            {
                "symbol": self.symbol(market),
                "sequence": 100,
                "bids": [[float(p), int(Decimal(s) * 1000)] for p, s in bids],
                "asks": [[float(p), int(Decimal(s) * 1000)] for p, s in asks],
                "ts": ctx.now_ms * 1_000_000,
            }
        )

    def event(self, topic: str, market: SimMarket, ctx: Ctx) -> Json:
        symbol = self.symbol(market)
        _, asks = ctx.book(market)
        if topic == "/contractMarket/level2":
            price = asks[0][0] if asks else "0"
            return {
                "type": "message",
                "topic": f"{topic}:{symbol}",
                "subject": "level2",
                "data": {"sequence": 18, "change": f"{price},sell,83", "timestamp": ctx.now_ms},
            }
        price, _ = trade(market.mid)
        return {
            "type": "message",
            "topic": f"{topic}:{symbol}",
            "subject": "match",
            "data": {
                "sequence": 1545896669145,
                "symbol": symbol,
                "side": "buy",
                "size": 3,
                "price": price,
                "tradeId": "5c24c5da03aa673885cd67aa",
                "ts": ctx.now_ms * 1_000_000,
            },
        }


# -- OKX ---------------------------------------------------------------------------------
class Okx(SimExchange):
    name = "okx"
    inst_type = "SPOT"

    def symbol(self, market: SimMarket) -> str:
        return f"{market.base}-{market.quote}"

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


# -- Gate.io -----------------------------------------------------------------------------
class GateIo(SimExchange):
    name = "gate_io"
    book_channel = "spot.order_book_update"
    trade_channel = "spot.trades"

    def symbol(self, market: SimMarket) -> str:
        return f"{market.base}_{market.quote}"

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
        market = self.find(req.query.get("currency_pair", ""))
        if market is None:
            return {"label": "INVALID_CURRENCY", "message": "Invalid currency pair"}
        bids, asks = ctx.book(market)
        return {
            "id": 1890172054,
            "current": ctx.now_ms,
            "update": ctx.now_ms,
            "asks": _lists(asks),
            "bids": _lists(bids),
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
                "b": _lists(bids[:1]),
                "a": _lists(asks[:1]),
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

    def routes(self) -> list[Route]:
        # Gate's futures API has no clock of its own: the spot one answers for both.
        spot_time = super().routes()[0]
        return [
            spot_time,
            Route("GET", "/api/v4/futures/usdt/contracts", "markets", self.contracts),
            Route("GET", "/api/v4/futures/usdt/order_book", "order_book", self.futures_book),
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

    def futures_book(self, ctx: Ctx, req: Req) -> Json:
        market = self.find(req.query.get("contract", ""))
        if market is None:
            return {"label": "CONTRACT_NOT_FOUND", "message": "Contract not found"}
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


# -- Bybit -------------------------------------------------------------------------------
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
                "b": _lists(bids),
                "a": _lists(asks),
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
                    "b": _lists(bids),
                    "a": _lists(asks),
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


# -- Kraken ------------------------------------------------------------------------------
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


# -- Coinbase Advanced Trade -------------------------------------------------------------
class Coinbase(SimExchange):
    name = "coinbase_advanced_trade"
    markets = USD_MARKETS

    def symbol(self, market: SimMarket) -> str:
        return f"{market.base}-{market.quote}"

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


# -- HTX ---------------------------------------------------------------------------------
class Htx(SimExchange):
    name = "htx"

    def symbol(self, market: SimMarket) -> str:
        return f"{market.base}{market.quote}".lower()

    def routes(self) -> list[Route]:
        return [
            Route(
                "GET",
                "/v1/common/timestamp",
                "server_time",
                lambda c, r: {"status": "ok", "data": c.now_ms},
            ),
            Route("GET", "/v1/settings/common/market-symbols", "markets", self.symbols),
            Route("GET", "/market/depth", "order_book", self.depth),
        ]

    def symbols(self, ctx: Ctx, req: Req) -> Json:
        rows = [
            {
                "symbol": self.symbol(m),
                "bc": m.base.lower(),
                "qc": m.quote.lower(),
                "state": "online" if m.active else "offline",
            }
            for m in self.markets
        ]
        return {"status": "ok", "data": rows, "ts": str(ctx.now_ms), "full": 1}

    def tick(self, market: SimMarket, ctx: Ctx) -> Json:
        bids, asks = ctx.book(market)
        return {
            "bids": [[float(p), float(s)] for p, s in bids],
            "asks": [[float(p), float(s)] for p, s in asks],
            "version": 141982962388,
            "ts": ctx.now_ms,
        }

    def depth(self, ctx: Ctx, req: Req) -> Json:
        market = self.find(req.query.get("symbol", ""))
        if market is None:
            return {"status": "error", "err-code": "invalid-parameter", "err-msg": "invalid symbol"}
        return {
            "ch": f"market.{self.symbol(market)}.depth.step0",
            "status": "ok",
            "ts": ctx.now_ms,
            "tick": self.tick(market, ctx),
        }

    def greeting(self, ctx: Ctx) -> list[Reply]:
        ctx.state["ping"] = ctx.real_now_ms
        ctx.state["pending"] = []
        return [Reply({"ping": ctx.real_now_ms})]

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        if "pong" in message:
            if message["pong"] != ctx.state.get("ping"):
                return [Reply({"status": "error", "err-msg": "pong does not match ping"})]
            ctx.state["ponged"] = True
            pending, ctx.state["pending"] = ctx.state["pending"], []
            return pending
        topic = message.get("sub", "")
        parts = topic.split(".")
        market = self.find(parts[1]) if len(parts) > 2 else None
        if market is None:
            return [
                Reply(
                    {
                        "id": message.get("id"),
                        "status": "error",
                        "err-code": "bad-request",
                        "err-msg": f"invalid topic {topic}",
                        "ts": ctx.now_ms,
                    }
                )
            ]
        ack = Reply({"id": message.get("id"), "status": "ok", "subbed": topic, "ts": ctx.now_ms})
        if topic.endswith("depth.step0"):
            data = Reply({"ch": topic, "ts": ctx.now_ms, "tick": self.tick(market, ctx)}, data=True)
        else:
            price, size = trade(market.mid)
            row = {
                "id": 1,
                "ts": ctx.now_ms,
                "tradeId": 102523573486,
                "amount": float(size),
                "price": float(price),
                "direction": "buy",
            }
            data = Reply(
                {"ch": topic, "ts": ctx.now_ms, "tick": {"id": 1, "ts": ctx.now_ms, "data": [row]}},
                data=True,
            )
        if not ctx.state.get("ponged"):  # HTX streams only to clients that answer its ping
            ctx.state["pending"].append(data)
            return [ack]
        return [ack, data]

    def encode(self, reply: Reply) -> str | bytes:
        return gzip.compress(json.dumps(reply.payload).encode())


# -- MEXC --------------------------------------------------------------------------------
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


# -- BitMart -----------------------------------------------------------------------------
class Bitmart(SimExchange):
    name = "bitmart"

    def symbol(self, market: SimMarket) -> str:
        return f"{market.base}_{market.quote}"

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
                "asks": _lists(asks),
                "bids": _lists(bids),
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
                    "asks": _lists(asks),
                    "bids": _lists(bids),
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


# -- Bitget ------------------------------------------------------------------------------
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
        market = self.find(req.query.get("symbol", ""))
        if market is None:
            return {
                "code": "40034",
                "msg": "Parameter does not exist",
                "requestTime": ctx.now_ms,
                "data": None,
            }
        bids, asks = ctx.book(market)
        return self.ok({"asks": _lists(asks), "bids": _lists(bids), "ts": str(ctx.now_ms)}, ctx)

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
                    "asks": _lists(asks),
                    "bids": _lists(bids),
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
            Route("GET", "/api/v2/mix/market/merge-depth", "order_book", self.merge_depth),
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

    def merge_depth(self, ctx: Ctx, req: Req) -> Json:
        market = self.find(req.query.get("symbol", ""))
        if market is None:
            return {
                "code": "40034",
                "msg": "Parameter does not exist",
                "requestTime": ctx.now_ms,
                "data": None,
            }
        bids, asks = ctx.book(market)
        return self.ok(
            {
                "asks": [[float(p), float(s)] for p, s in asks],
                "bids": [[float(p), float(s)] for p, s in bids],
                "ts": str(ctx.now_ms),
                "scale": "0.1",
            },
            ctx,
        )


# -- Hyperliquid -------------------------------------------------------------------------
class Hyperliquid(SimExchange):
    name = "hyperliquid"
    markets = (SimMarket("HYPE", "USDC"), SimMarket("PURR", "USDC"))

    def symbol(self, market: SimMarket) -> str:
        return "PURR/USDC" if market.base == "PURR" else "@107"

    def routes(self) -> list[Route]:
        return [Route("POST", "/info", "dynamic", self.info)]

    def scope_of(self, body: Json) -> str:
        kind = body.get("type") if isinstance(body, dict) else None
        return {"meta": "server_time", "l2Book": "order_book"}.get(str(kind), "markets")

    def info(self, ctx: Ctx, req: Req) -> Json:
        kind = req.body.get("type") if isinstance(req.body, dict) else None
        if kind == "meta":
            return {"universe": [{"name": "BTC", "szDecimals": 5, "maxLeverage": 40}]}
        if kind == "spotMetaAndAssetCtxs":
            tokens = [
                {"name": "USDC", "index": 0},
                {"name": "PURR", "index": 1},
                {"name": "HYPE", "index": 150},
            ]
            universe = [
                {"name": "PURR/USDC", "tokens": [1, 0], "index": 0, "isCanonical": True},
                {"name": "@107", "tokens": [150, 0], "index": 107, "isCanonical": False},
                {"name": "@999", "tokens": [999, 0], "index": 999, "isCanonical": False},
            ]
            return [
                {"tokens": tokens, "universe": universe},
                [{"coin": "PURR/USDC", "markPx": "0.2"}],
            ]
        if kind == "l2Book":
            market = self.find(req.body.get("coin", ""))
            return self.l2_book(market, ctx) if market else None
        return {"error": f"unknown request type {kind!r}"}

    def l2_book(self, market: SimMarket, ctx: Ctx) -> Json:
        bids, asks = ctx.book(market)
        return {
            "coin": self.symbol(market),
            "time": ctx.now_ms,
            "levels": [
                [{"px": p, "sz": s, "n": 2} for p, s in bids],
                [{"px": p, "sz": s, "n": 2} for p, s in asks],
            ],
        }

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        if message.get("method") == "ping":
            return [Reply({"channel": "pong"})]
        subscription = message.get("subscription", {})
        market = self.find(subscription.get("coin", ""))
        if market is None:
            return [
                Reply(
                    {"channel": "error", "data": f"Invalid subscription {json.dumps(subscription)}"}
                )
            ]
        ack = Reply(
            {
                "channel": "subscriptionResponse",
                "data": {"method": "subscribe", "subscription": subscription},
            }
        )
        if subscription.get("type") == "l2Book":
            return [ack, Reply({"channel": "l2Book", "data": self.l2_book(market, ctx)}, data=True)]
        price, size = trade(market.mid)
        row = {
            "coin": self.symbol(market),
            "side": "B",
            "px": price,
            "sz": size,
            "time": ctx.now_ms,
            "hash": "0x3e2b",
        }
        return [ack, Reply({"channel": "trades", "data": [row]}, data=True)]


class HyperliquidPerpetual(Hyperliquid):
    name = "hyperliquid_perpetual"
    markets = (SimMarket("BTC", "USD"), SimMarket("ETH", "USD"))

    def symbol(self, market: SimMarket) -> str:
        return market.base

    def info(self, ctx: Ctx, req: Req) -> Json:
        if isinstance(req.body, dict) and req.body.get("type") == "metaAndAssetCtxs":
            universe = [
                {"name": self.symbol(m), "szDecimals": 5, "maxLeverage": 40} for m in self.markets
            ]
            universe.append({"name": "LUNA", "szDecimals": 1, "maxLeverage": 3, "isDelisted": True})
            return [{"universe": universe}, [{"markPx": str(m.mid)} for m in self.markets]]
        return super().info(ctx, req)


# -- Bitstamp ----------------------------------------------------------------------------
class Bitstamp(SimExchange):
    name = "bitstamp"
    markets = USD_MARKETS

    def symbol(self, market: SimMarket) -> str:
        return f"{market.base}{market.quote}".lower()

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/api/v2/status/", "server_time", lambda c, r: {"server_time": c.now_ms}),
            Route("GET", "/api/v2/trading-pairs-info/", "markets", self.pairs_info),
            Route("GET", "/api/v2/order_book/{symbol}/", "order_book", self.order_book),
        ]

    def pairs_info(self, ctx: Ctx, req: Req) -> Json:
        return [
            {
                "name": f"{m.base}/{m.quote}",
                "url_symbol": self.symbol(m),
                "trading": "Enabled" if m.active else "Disabled",
            }
            for m in self.markets
        ]

    def order_book(self, ctx: Ctx, req: Req) -> Json:
        market = self.find(req.params["symbol"])
        if market is None:
            return {"status": "error", "reason": "Invalid currency pair."}
        bids, asks = ctx.book(market)
        return {
            "timestamp": str(int(ctx.now_s)),
            "microtimestamp": str(ctx.now_ms * 1000),
            "bids": _lists(bids),
            "asks": _lists(asks),
        }

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        if message.get("event") == "bts:heartbeat":
            return [Reply({"event": "bts:heartbeat", "channel": "", "data": {"status": "success"}})]
        channel = message.get("data", {}).get("channel", "")
        prefix, _, symbol = channel.rpartition("_")
        market = self.find(symbol)
        if market is None or prefix not in {"diff_order_book", "live_trades"}:
            return [
                Reply(
                    {
                        "event": "bts:error",
                        "channel": "",
                        "data": {"code": None, "message": "Bad subscription string."},
                    }
                )
            ]
        ack = Reply({"event": "bts:subscription_succeeded", "channel": channel, "data": {}})
        micros = str(ctx.now_ms * 1000)
        if prefix == "diff_order_book":
            bids, asks = ctx.book(market)
            data: dict[str, Any] = {
                "timestamp": str(int(ctx.now_s)),
                "microtimestamp": micros,
                "bids": _lists(bids[:1]),
                "asks": _lists(asks[:1]),
            }
            return [ack, Reply({"data": data, "channel": channel, "event": "data"}, data=True)]
        price, size = trade(market.mid)
        data = {
            "id": 345726198,
            "timestamp": str(int(ctx.now_s)),
            "amount": float(size),
            "amount_str": size,
            "price": float(price),
            "price_str": price,
            "type": 0,
            "microtimestamp": micros,
        }
        return [ack, Reply({"data": data, "channel": channel, "event": "trade"}, data=True)]


# -- dYdX v4 -----------------------------------------------------------------------------
class Dydx(SimExchange):
    name = "dydx_v4_perpetual"
    markets = (
        SimMarket("BTC", "USD"),
        SimMarket("ETH", "USD"),
        SimMarket("LUNA", "USD", active=False),
    )

    def symbol(self, market: SimMarket) -> str:
        return f"{market.base}-{market.quote}"

    def routes(self) -> list[Route]:
        return [
            Route("GET", "/v4/time", "server_time", lambda c, r: {"iso": c.iso, "epoch": c.now_s}),
            Route("GET", "/v4/perpetualMarkets", "markets", self.perpetual_markets),
            Route("GET", "/v4/orderbooks/perpetualMarket/{ticker}", "order_book", self.orderbook),
        ]

    def perpetual_markets(self, ctx: Ctx, req: Req) -> Json:
        return {
            "markets": {
                self.symbol(m): {
                    "ticker": self.symbol(m),
                    "status": "ACTIVE" if m.active else "FINAL_SETTLEMENT",
                }
                for m in self.markets
            }
        }

    def book_contents(self, market: SimMarket, ctx: Ctx) -> Json:
        bids, asks = ctx.book(market)
        return {
            "bids": [{"price": p, "size": s} for p, s in bids],
            "asks": [{"price": p, "size": s} for p, s in asks],
        }

    def orderbook(self, ctx: Ctx, req: Req) -> Json:
        market = self.find(req.params["ticker"])
        if market is None:
            return {"errors": [{"msg": "ticker does not exist"}]}
        return self.book_contents(market, ctx)

    def greeting(self, ctx: Ctx) -> list[Reply]:
        return [Reply({"type": "connected", "connection_id": "sim-connection", "message_id": 0})]

    def on_message(self, message: Json, ctx: Ctx) -> list[Reply]:
        market = self.find(message.get("id", ""))
        ctx.state["message_id"] = ctx.state.get("message_id", 0) + 1
        base = {"connection_id": "sim-connection", "message_id": ctx.state["message_id"]}
        if market is None or message.get("type") != "subscribe":
            return [
                Reply(
                    {
                        **base,
                        "type": "error",
                        "message": f"Invalid subscribe message: {json.dumps(message)}",
                    }
                )
            ]
        channel = message.get("channel")
        if channel == "v4_orderbook":
            contents = self.book_contents(market, ctx)
        else:
            price, size = trade(market.mid)
            contents = {
                "trades": [
                    {
                        "id": "1",
                        "side": "BUY",
                        "size": size,
                        "price": price,
                        "type": "LIMIT",
                        "createdAt": ctx.iso,
                        "createdAtHeight": "1",
                    }
                ]
            }
        return [
            Reply(
                {
                    **base,
                    "type": "subscribed",
                    "channel": channel,
                    "id": message["id"],
                    "contents": contents,
                },
                data=True,
            )
        ]


# -- Hummingbot Gateway (AMM DEX connectors) ---------------------------------------------
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


SIMULATED: dict[str, SimExchange] = {
    exchange.name: exchange
    for exchange in (
        Binance(),
        BinancePerpetual(),
        Kucoin(),
        KucoinPerpetual(),
        Okx(),
        OkxPerpetual(),
        GateIo(),
        GateIoPerpetual(),
        Bybit(),
        BybitPerpetual(),
        Kraken(),
        Coinbase(),
        Htx(),
        Mexc(),
        Bitmart(),
        Bitget(),
        BitgetPerpetual(),
        Hyperliquid(),
        HyperliquidPerpetual(),
        Bitstamp(),
        Dydx(),
        Gateway(),
    )
}
