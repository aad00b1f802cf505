"""The check runner's rules, against an in-memory connector: what counts as healthy, what
fails which step, and that nothing ever raises out of a check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from health.checks import CheckLimits, Step, Verdict, run_check
from health.connectors import (
    ExchangeConnector,
    Market,
    OrderBook,
    ProbeError,
    StreamKind,
    StreamMessage,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LIMITS = CheckLimits(max_clock_skew_seconds=5, max_data_age_seconds=60, degraded_latency_ms=2000)
GOOD_BOOK = OrderBook(
    bids=[(Decimal("99"), Decimal("1")), (Decimal("98"), Decimal("2"))],
    asks=[(Decimal("101"), Decimal("1"))],
    timestamp=NOW,
)


class FakeExchange(ExchangeConnector):
    connector_id = "fake"
    default_rest_url = "http://fake.invalid"
    default_ws_url = "ws://fake.invalid/ws"

    def __init__(self, **behaviour: object) -> None:
        super().__init__()
        self.behaviour = behaviour
        self.closed = False

    def _maybe(self, name: str, default: object) -> object:
        value = self.behaviour.get(name, default)
        if isinstance(value, BaseException):
            raise value
        return value

    def server_time(self) -> datetime | None:
        return self._maybe("server_time", NOW)  # type: ignore[return-value]

    def markets(self) -> list[Market]:
        return self._maybe(  # type: ignore[return-value]
            "markets",
            [Market("BTCUSDT", "BTC-USDT"), Market("LUNAUSDT", "LUNA-USDT", active=False)],
        )

    def order_book(self, market: Market) -> OrderBook:
        return self._maybe("order_book", GOOD_BOOK)  # type: ignore[return-value]

    def stream_first_message(self, market: Market) -> StreamMessage:
        return self._maybe(  # type: ignore[return-value]
            "stream", StreamMessage(StreamKind.DIFF, "depth", NOW)
        )

    def close(self) -> None:
        self.closed = True


def check(**behaviour: object):  # type: ignore[no-untyped-def]
    probe = FakeExchange(**behaviour)
    report = run_check(probe=probe, trading_pair="BTC-USDT", limits=LIMITS, clock=lambda: NOW)
    assert probe.closed  # the session is closed whatever happened
    return report


def test_healthy_exchange_passes_every_step():
    report = check()

    assert report.verdict == Verdict.UP
    assert report.failed_step is None
    assert report.steps[0].detail == "clock skew +0.000 s"
    assert report.steps[1].detail == "2 markets; BTC-USDT is BTCUSDT"
    assert report.steps[2].detail.startswith("2 bids, 1 asks; spread 200.0 bps")


@pytest.mark.parametrize(("offset", "sign"), [(-12, "-12.0"), (9, "+9.0")])
def test_clock_skew_beyond_the_limit_fails_server_time(offset, sign):
    report = check(server_time=NOW + timedelta(seconds=offset))

    assert report.failed_step == Step.SERVER_TIME
    assert report.reason.startswith(f"clock skew {sign} s exceeds 5 s")


def test_clock_skew_within_the_limit_passes():
    assert check(server_time=NOW + timedelta(seconds=4)).verdict == Verdict.UP


def test_exchange_without_server_time_passes_that_step_with_a_note():
    report = check(server_time=None)

    assert report.verdict == Verdict.UP
    assert "no server-time endpoint" in report.steps[0].detail


def test_no_markets_fails():
    assert check(markets=[]).reason == "the exchange lists no markets"


def test_pair_lookup_is_case_insensitive():
    probe = FakeExchange()
    report = run_check(probe=probe, trading_pair="btc-usdt", limits=LIMITS, clock=lambda: NOW)

    assert report.verdict == Verdict.UP


@pytest.mark.parametrize(
    ("book", "reason"),
    [
        (OrderBook([], [(Decimal(1), Decimal(1))], NOW), "order book is empty (0 bids, 1 asks)"),
        (OrderBook([(Decimal(1), Decimal(1))], [], NOW), "order book is empty (1 bids, 0 asks)"),
        (
            OrderBook([(Decimal(101), Decimal(1))], [(Decimal(101), Decimal(1))], NOW),
            "order book is crossed: best bid 101 >= best ask 101",
        ),
        (
            OrderBook([(Decimal(99), Decimal(0))], [(Decimal(101), Decimal(1))], NOW),
            "order book has non-positive prices or sizes",
        ),
        (
            OrderBook(GOOD_BOOK.bids, GOOD_BOOK.asks, NOW - timedelta(seconds=90)),
            "order book is stale: its timestamp is 90 s old (limit 60 s)",
        ),
        (
            OrderBook(GOOD_BOOK.bids, GOOD_BOOK.asks, NOW + timedelta(seconds=30)),
            "order book is timestamped 30.0 s in the future",
        ),
    ],
)
def test_bad_books_fail_the_order_book_step(book, reason):
    report = check(order_book=book)

    assert report.failed_step == Step.ORDER_BOOK
    assert report.reason == reason


def test_book_without_timestamp_is_not_judged_stale():
    book = OrderBook(GOOD_BOOK.bids, GOOD_BOOK.asks, None)

    assert check(order_book=book).verdict == Verdict.UP


def test_streamed_snapshot_is_validated_like_a_book():
    crossed = OrderBook([(Decimal(2), Decimal(1))], [(Decimal(1), Decimal(1))], NOW)
    message = StreamMessage(StreamKind.SNAPSHOT, "books", NOW, crossed)

    report = check(stream=message)

    assert report.failed_step == Step.STREAM
    assert report.reason.startswith("streamed order book is crossed")


def test_stale_stream_message_fails_the_stream():
    message = StreamMessage(StreamKind.TRADE, "trades", NOW - timedelta(minutes=5))

    report = check(stream=message)

    assert report.reason == "stream message is stale: its timestamp is 300 s old (limit 60 s)"


def test_probe_error_becomes_the_reason():
    report = check(markets=ProbeError("GET /api/v3/exchangeInfo answered HTTP 418: 'teapot'"))

    assert report.failed_step == Step.MARKETS
    assert report.reason == "GET /api/v3/exchangeInfo answered HTTP 418: 'teapot'"


@pytest.mark.parametrize(
    ("error", "prefix"),
    [
        (KeyError("bids"), "unexpected payload: KeyError 'bids'"),
        (TypeError("'NoneType' object is not subscriptable"), "unexpected payload: TypeError"),
        (ArithmeticError("boom"), "internal error: ArithmeticError: boom"),
        (RuntimeError("bug"), "internal error: RuntimeError: bug"),
    ],
)
def test_unexpected_errors_never_raise_out_of_a_check(error, prefix):
    report = check(order_book=error)

    assert report.verdict == Verdict.DOWN
    assert report.failed_step == Step.ORDER_BOOK
    assert report.reason.startswith(prefix)


def test_connector_without_stream_skips_that_step():
    class NoStream(FakeExchange):
        has_stream = False

    report = run_check(probe=NoStream(), trading_pair="BTC-USDT", limits=LIMITS, clock=lambda: NOW)

    assert report.verdict == Verdict.UP
    assert report.steps[-1].ok is None
    assert report.steps[-1].latency_ms is None


def test_report_serialises_steps_for_storage():
    report = check(order_book=ProbeError("nope"))

    assert [s.as_json()["ok"] for s in report.steps] == [True, True, False, None]
    assert report.steps[3].as_json()["detail"] == "not run: order book failed"
    assert report.total_latency_ms == sum(report.step_latencies_ms.values())


def test_celery_time_limit_inside_a_step_is_a_reason():
    from celery.exceptions import SoftTimeLimitExceeded

    report = check(stream=SoftTimeLimitExceeded())

    assert report.failed_step == Step.STREAM
    assert report.reason == "the check exceeded its task time limit"
