"""One check of one connector: run every step, time it, validate what came back.

Pure: no database, no Celery. ``run_check`` never raises; a failure is a report with the
failing step and a reason a person can act on. Steps run in order and stop at the first
failure (each later step needs the earlier one: the order book needs the market).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, NoReturn, TypeVar

from django.utils import timezone

from health.connectors import (
    ExchangeConnector,
    Fault,
    Market,
    OrderBook,
    ProbeError,
    StreamKind,
    SystemStatus,
)
from health.connectors.gateway import GatewayConnector

logger = logging.getLogger(__name__)
T = TypeVar("T")


class Step(StrEnum):
    SERVER_TIME = "server_time"
    MARKETS = "markets"
    ORDER_BOOK = "order_book"
    STREAM = "stream"


STEP_LABELS = {
    Step.SERVER_TIME: "Server time",
    Step.MARKETS: "Markets",
    Step.ORDER_BOOK: "Order book",
    Step.STREAM: "Stream",
}


class Verdict(StrEnum):
    UP = "up"
    DEGRADED = "degraded"
    DOWN = "down"


@dataclass(frozen=True)
class CheckLimits:
    max_clock_skew_seconds: float = 5.0
    max_data_age_seconds: float = 60.0
    degraded_latency_ms: int = 2000


@dataclass
class StepReport:
    step: Step
    ok: bool | None  # None: not run
    latency_ms: int | None = None
    detail: str = ""
    fault: Fault | None = None  # whose side a failure points at

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "step": str(self.step),
            "ok": self.ok,
            "latency_ms": self.latency_ms,
            "detail": self.detail,
        }
        if self.fault is not None:
            data["fault"] = str(self.fault)
        return data


@dataclass
class CheckReport:
    verdict: Verdict
    steps: list[StepReport] = field(default_factory=list)
    failed_step: Step | None = None
    reason: str = ""
    fault: Fault | None = None
    # The exchange's own status endpoint, asked after a failure the network did not cause
    exchange_status: SystemStatus | None = None

    @property
    def step_latencies_ms(self) -> dict[str, int]:
        return {str(s.step): s.latency_ms for s in self.steps if s.latency_ms is not None}

    @property
    def total_latency_ms(self) -> int:
        return sum(self.step_latencies_ms.values())


class _StepFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def run_check(
    *,
    probe: ExchangeConnector,
    trading_pair: str,
    limits: CheckLimits,
    clock: Callable[[], datetime] = timezone.now,
) -> CheckReport:
    """Every step of ``probe`` for ``trading_pair``, timed and validated."""
    runner = _Runner(probe=probe, limits=limits, clock=clock)
    try:
        runner.step(Step.SERVER_TIME, runner.server_time)
        market = runner.step(Step.MARKETS, lambda: runner.market(trading_pair))
        runner.step(Step.ORDER_BOOK, lambda: runner.order_book(market))
        if probe.has_stream:
            runner.step(Step.STREAM, lambda: runner.stream(market))
        else:
            runner.skip(Step.STREAM, "this connector has no public stream")
    except _StepFailed:
        runner.ask_exchange_status()
    finally:
        probe.close()
    return runner.report()


class _Runner:
    def __init__(
        self, *, probe: ExchangeConnector, limits: CheckLimits, clock: Callable[[], datetime]
    ) -> None:
        self.probe = probe
        self.limits = limits
        self.clock = clock
        self.steps: list[StepReport] = []
        self.failed: StepReport | None = None
        self.exchange_status: SystemStatus | None = None

    def step(self, step: Step, action: Callable[[], tuple[T, str]]) -> T:
        started = time.perf_counter()
        try:
            value, detail = action()
        except ProbeError as exc:
            self._fail(step, started, exc.reason, exc.fault)
        except (
            KeyError,
            IndexError,
            TypeError,
            ValueError,
            AttributeError,
            InvalidOperation,
        ) as exc:
            self._fail(step, started, f"unexpected payload: {type(exc).__name__} {exc}")
        except Exception as exc:  # a check never raises: the reason says what broke
            if type(exc).__name__ == "SoftTimeLimitExceeded":  # Celery's backstop fired
                self._fail(step, started, "the check exceeded its task time limit")
            logger.exception("health check step %s of %s crashed", step, self.probe.connector_id)
            self._fail(step, started, f"internal error: {type(exc).__name__}: {exc}")
        self.steps.append(StepReport(step, True, _elapsed_ms(started), detail))
        return value

    def skip(self, step: Step, detail: str) -> None:
        self.steps.append(StepReport(step, None, None, detail))

    def _fail(
        self, step: Step, started: float, reason: str, fault: Fault = Fault.CONNECTOR
    ) -> NoReturn:
        report = StepReport(step, False, _elapsed_ms(started), reason, fault)
        self.steps.append(report)
        self.failed = report
        for later in list(Step)[list(Step).index(step) + 1 :]:
            self.skip(later, f"not run: {STEP_LABELS[step].lower()} failed")
        raise _StepFailed(reason)

    def ask_exchange_status(self) -> None:
        """After a failure, what the exchange's status endpoint says (where it has one).
        Not when the network failed: nothing would answer. Never fails the check."""
        if self.failed is None or self.failed.fault == Fault.NETWORK:
            return
        try:
            self.exchange_status = self.probe.system_status()
        except ProbeError:
            self.exchange_status = None
        except Exception:  # the status is a hint; a broken one must not break the check
            logger.warning("status endpoint of %s failed", self.probe.connector_id, exc_info=True)
            self.exchange_status = None

    def report(self) -> CheckReport:
        if self.failed is not None:
            return CheckReport(
                Verdict.DOWN,
                self.steps,
                self.failed.step,
                self.failed.detail,
                self.failed.fault,
                self.exchange_status,
            )
        slow = [s for s in self.steps if (s.latency_ms or 0) > self.limits.degraded_latency_ms]
        if slow:
            worst = max(slow, key=lambda s: s.latency_ms or 0)
            reason = (
                f"slow: {STEP_LABELS[worst.step].lower()} took {worst.latency_ms} ms "
                f"(limit {self.limits.degraded_latency_ms} ms)"
            )
            return CheckReport(Verdict.DEGRADED, self.steps, None, reason)
        return CheckReport(Verdict.UP, self.steps)

    # -- steps: each returns (value, detail) or raises ProbeError -----------------------
    def server_time(self) -> tuple[None, str]:
        sent = self.clock()
        server = self.probe.server_time()
        if server is None:
            return None, "the exchange answered (it has no server-time endpoint)"
        received = self.clock()
        local = sent + (received - sent) / 2
        skew = (server - local).total_seconds()
        if abs(skew) > self.limits.max_clock_skew_seconds:
            raise ProbeError(
                f"clock skew {skew:+.1f} s exceeds {self.limits.max_clock_skew_seconds:.0f} s "
                f"(server time {server:%Y-%m-%d %H:%M:%S} UTC)"
            )
        return None, f"clock skew {skew:+.3f} s"

    def market(self, trading_pair: str) -> tuple[Market, str]:
        markets = self.probe.markets()
        if not markets:
            raise ProbeError("the exchange lists no markets")
        if isinstance(self.probe, GatewayConnector):
            chosen = self.probe.market_for(trading_pair or markets[0].trading_pair, markets)
            return chosen, f"configured on {chosen.extra['chain']} {chosen.extra['network']}"
        wanted = trading_pair.upper()
        found = next((m for m in markets if m.trading_pair == wanted), None)
        if found is None:
            raise ProbeError(f"{wanted} is not listed among {len(markets):,} markets")
        if not found.active:
            why = found.inactive_reason or "not trading"
            raise ProbeError(f"{wanted} is listed ({found.symbol}) but {why}")
        return found, f"{len(markets):,} markets; {wanted} is {found.symbol}"

    def order_book(self, market: Market) -> tuple[OrderBook, str]:
        book = self.probe.order_book(market)
        self._validate_book(book, what="order book")
        self._validate_time(book.timestamp, what="order book")
        spread = _spread_bps(book)
        return book, f"{len(book.bids)} bids, {len(book.asks)} asks; spread {spread} bps"

    def stream(self, market: Market) -> tuple[None, str]:
        started = time.perf_counter()
        message = self.probe.stream_first_message(market)
        if message.kind == StreamKind.SNAPSHOT and message.book is not None:
            self._validate_book(message.book, what="streamed order book")
        self._validate_time(message.timestamp, what="stream message")
        waited = _elapsed_ms(started)
        return None, f"first message: {message.kind} on {message.channel} after {waited} ms"

    # -- validation ------------------------------------------------------------------------
    def _validate_book(self, book: OrderBook, *, what: str) -> None:
        if not book.bids or not book.asks:
            raise ProbeError(f"{what} is empty ({len(book.bids)} bids, {len(book.asks)} asks)")
        best_bid, best_ask = book.best_bid, book.best_ask
        if best_bid is None or best_ask is None or best_bid >= best_ask:
            raise ProbeError(f"{what} is crossed: best bid {best_bid} >= best ask {best_ask}")
        if any(size <= 0 for _, size in book.bids + book.asks) or best_bid <= 0:
            raise ProbeError(f"{what} has non-positive prices or sizes")

    def _validate_time(self, stamp: datetime | None, *, what: str) -> None:
        if stamp is None:
            return  # the exchange sends no timestamp here; freshness is judged elsewhere
        age = (self.clock() - stamp).total_seconds()
        if age > self.limits.max_data_age_seconds:
            raise ProbeError(
                f"{what} is stale: its timestamp is {age:,.0f} s old "
                f"(limit {self.limits.max_data_age_seconds:.0f} s)"
            )
        if -age > self.limits.max_clock_skew_seconds:
            raise ProbeError(f"{what} is timestamped {-age:,.1f} s in the future")


def _elapsed_ms(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


def _spread_bps(book: OrderBook) -> str:
    bid, ask = book.best_bid, book.best_ask
    if not bid or not ask:
        return "n/a"
    mid = (bid + ask) / 2
    return f"{((ask - bid) / mid * Decimal(10000)):.1f}"
