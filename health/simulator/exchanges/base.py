"""What every simulated exchange shares: the handler context, the request, routes, replies
and the ``SimExchange`` base class."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from health.simulator.faults import STALE_BY_MS, Faults
from health.simulator.market_data import USDT_MARKETS, Row, SimMarket, book

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


def as_lists(rows: list[Row]) -> list[list[str]]:
    return [[price, size] for price, size in rows]


class SimExchange(ABC):
    name: ClassVar[str]
    markets: ClassVar[tuple[SimMarket, ...]] = USDT_MARKETS
    # what stands between base and quote in the exchange's own market name: BTCUSDT, BTC-USDT
    separator: ClassVar[str] = ""

    @abstractmethod
    def routes(self) -> list[Route]:
        """The exchange's REST and WebSocket routes."""

    def symbol(self, market: SimMarket) -> str:
        return f"{market.base}{self.separator}{market.quote}"

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
