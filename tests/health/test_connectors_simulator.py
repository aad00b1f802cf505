"""Every bundled connector against the exchange simulator over loopback: healthy, and each
fault failing at the right step with a reason a person can act on."""

from __future__ import annotations

import re
import socket
import time

import pytest

from health.checks import CheckLimits, Step, Verdict, run_check
from health.connectors import (
    BUNDLED,
    Endpoints,
    ExchangeConnector,
    GatewayConnector,
    ProbeError,
    Timeouts,
)
from health.simulator import ExchangeSimulator, Faults

CONNECTOR_IDS = sorted(BUNDLED)
FAST = Timeouts(connect=2.0, read=2.0, ws_message=0.6)
LIMITS = CheckLimits(max_clock_skew_seconds=5, max_data_age_seconds=60, degraded_latency_ms=2000)


def probe_for(
    sim: ExchangeSimulator, connector_id: str, *, timeouts: Timeouts = FAST
) -> ExchangeConnector:
    return BUNDLED[connector_id](
        endpoints=Endpoints(sim.rest_url(connector_id), sim.ws_url(connector_id)),
        timeouts=timeouts,
        deadline=time.monotonic() + 15,
    )


def check(sim: ExchangeSimulator, connector_id: str, **kwargs):  # type: ignore[no-untyped-def]
    pair = kwargs.pop("pair", BUNDLED[connector_id].default_trading_pair)
    limits = kwargs.pop("limits", LIMITS)
    return run_check(probe=probe_for(sim, connector_id, **kwargs), trading_pair=pair, limits=limits)


@pytest.mark.parametrize("connector_id", CONNECTOR_IDS)
def test_connector_is_healthy_against_the_simulator(sim, connector_id):
    # when the connector is checked against a well-behaved exchange
    report = check(sim, connector_id)

    # then every step passes and each one is timed
    assert report.verdict == Verdict.UP, report.reason
    assert [s.step for s in report.steps] == list(Step)
    assert all(s.ok for s in report.steps)
    assert set(report.step_latencies_ms) == {str(s) for s in Step}
    assert "first message" in report.steps[-1].detail


def test_all_twenty_requested_connectors_are_bundled():
    requested = {
        "binance",
        "binance_perpetual",
        "kucoin",
        "kucoin_perpetual",
        "okx",
        "okx_perpetual",
        "gate_io",
        "gate_io_perpetual",
        "bybit",
        "bybit_perpetual",
        "kraken",
        "coinbase_advanced_trade",
        "htx",
        "mexc",
        "bitmart",
        "bitget",
        "hyperliquid",
        "hyperliquid_perpetual",
        "bitstamp",
        "dydx_v4_perpetual",
    }
    assert requested <= set(BUNDLED)


def _stale_step(connector_id: str) -> Step:
    return Step.SERVER_TIME if BUNDLED[connector_id].has_server_time else Step.ORDER_BOOK


FAULT_EXPECTATIONS = {
    "http_500": (lambda cid: Step.SERVER_TIME, "answered HTTP 500"),
    "rate_limited": (
        lambda cid: Step.SERVER_TIME,
        "answered HTTP 429: rate limited by the exchange, retry after 30 s",
    ),
    "ip_banned": (
        lambda cid: Step.SERVER_TIME,
        "answered HTTP 418: IP banned by the exchange, retry after 120 s",
    ),
    "html_error": (lambda cid: Step.SERVER_TIME, "with an HTML error page"),
    "malformed_json": (lambda cid: Step.SERVER_TIME, "malformed JSON"),
    "empty_book": (lambda cid: Step.ORDER_BOOK, "order book is empty (0 bids, 0 asks)"),
    "crossed_book": (lambda cid: Step.ORDER_BOOK, "order book is crossed: best bid"),
    "stale_timestamp": (_stale_step, None),
    "ws_close": (lambda cid: Step.STREAM, "closed by the server (code 1011: simulated failure)"),
    "ws_silent": (lambda cid: Step.STREAM, "no order-book or trade message on the stream"),
}


@pytest.mark.parametrize("fault", sorted(FAULT_EXPECTATIONS))
@pytest.mark.parametrize("connector_id", CONNECTOR_IDS)
def test_fault_fails_the_right_step_with_a_reason(sim, connector_id, fault):
    # given the exchange misbehaves
    sim.faults.set(connector_id, Faults(fault=fault))

    # when the connector is checked
    report = check(sim, connector_id)

    # then the check is down, at the step the fault hits, saying why
    expected_step, expected_reason = FAULT_EXPECTATIONS[fault]
    step = expected_step(connector_id)
    assert report.verdict == Verdict.DOWN
    assert report.failed_step == step, report.reason
    if fault == "stale_timestamp" and step == Step.SERVER_TIME:
        # the simulator's clock is 600 s behind; exchanges that answer in whole seconds round
        # it down by up to one more second
        skew = re.search(r"clock skew (-?[\d.]+) s exceeds", report.reason)
        assert skew, report.reason
        assert -601.5 < float(skew.group(1)) <= -599.5
        reason_part = None
    elif fault == "stale_timestamp":
        reason_part = "is stale"
    else:
        reason_part = expected_reason
    assert reason_part is None or reason_part in report.reason
    # and later steps did not run
    later = [s for s in report.steps if list(Step).index(s.step) > list(Step).index(step)]
    assert all(s.ok is None and s.detail.startswith("not run") for s in later)


@pytest.mark.parametrize(
    ("connector_id", "scope", "fault", "step", "reason"),
    [
        ("binance", "order_book", "http_500", Step.ORDER_BOOK, "HTTP 500"),
        ("okx", "markets", "malformed_json", Step.MARKETS, "malformed JSON"),
        ("kraken", "order_book", "html_error", Step.ORDER_BOOK, "HTML error page"),
        ("okx", "stream", "empty_book", Step.STREAM, "streamed order book is empty"),
        ("bybit", "stream", "crossed_book", Step.STREAM, "streamed order book is crossed"),
        ("bitget", "stream", "stale_timestamp", Step.STREAM, "stream message is stale"),
        ("gate_io", "order_book", "stale_timestamp", Step.ORDER_BOOK, "order book is stale"),
        ("kucoin", "stream", "http_500", Step.STREAM, "bullet-public answered HTTP 500"),
        ("hyperliquid", "markets", "http_500", Step.MARKETS, "HTTP 500"),
    ],
)
def test_fault_scoped_to_one_endpoint_fails_that_step(
    sim, connector_id, scope, fault, step, reason
):
    sim.faults.set(connector_id, Faults(fault=fault, scope=scope))

    report = check(sim, connector_id)

    assert report.failed_step == step
    assert reason in report.reason


@pytest.mark.parametrize("connector_id", ["binance", "kraken", "htx", "hyperliquid"])
def test_added_latency_above_the_limit_degrades(sim, connector_id):
    # given every answer takes 300 ms and the limit for a step is 250 ms
    sim.faults.set(connector_id, Faults(latency_ms=300))
    limits = CheckLimits(degraded_latency_ms=250)

    report = check(sim, connector_id, limits=limits)

    # then it works, slowly: degraded, with the slow step named
    assert report.verdict == Verdict.DEGRADED
    assert report.failed_step is None
    assert report.reason.startswith("slow: ")
    assert "(limit 250 ms)" in report.reason
    assert all(latency >= 300 for latency in report.step_latencies_ms.values())


def test_latency_beyond_the_read_timeout_fails_with_timeout(sim):
    sim.faults.set("bitstamp", Faults(latency_ms=1500))

    started = time.monotonic()
    report = check(sim, "bitstamp", timeouts=Timeouts(connect=1, read=0.3, ws_message=0.5))

    assert report.failed_step == Step.SERVER_TIME
    assert "timed out after 0.3 s" in report.reason
    assert time.monotonic() - started < 1.2  # bounded by the timeout, not by the latency


def test_whole_check_is_bounded_by_its_deadline(sim):
    # given each request is slow but within its own timeout
    sim.faults.set("okx", Faults(latency_ms=400))
    probe = BUNDLED["okx"](
        endpoints=Endpoints(sim.rest_url("okx"), sim.ws_url("okx")),
        timeouts=Timeouts(connect=2, read=2, ws_message=2),
        deadline=time.monotonic() + 0.7,
    )

    started = time.monotonic()
    report = run_check(probe=probe, trading_pair="BTC-USDT", limits=LIMITS)

    # then the check gives up when its deadline passes
    assert report.verdict == Verdict.DOWN
    assert time.monotonic() - started < 1.5
    assert "timed out" in report.reason or "ran out of time" in report.reason


def test_unlisted_pair_fails_markets(sim):
    report = check(sim, "binance", pair="DOGE-EUR")

    assert report.failed_step == Step.MARKETS
    assert report.reason == "DOGE-EUR is not listed among 4 markets"


@pytest.mark.parametrize(
    ("connector_id", "pair", "symbol"),
    [("binance", "LUNA-USDT", "LUNAUSDT"), ("kraken", "SOL-USD", "SOLUSD")],
)
def test_listed_but_halted_pair_fails_markets(sim, connector_id, pair, symbol):
    report = check(sim, connector_id, pair=pair)

    assert report.failed_step == Step.MARKETS
    assert report.reason == f"{pair} is listed ({symbol}) but not trading"


@pytest.mark.parametrize(
    ("connector_id", "scope", "step"),
    [("binance", "order_book", Step.ORDER_BOOK), ("kucoin", "stream", Step.STREAM)],
)
def test_rate_limit_on_one_endpoint_says_when_to_retry(sim, connector_id, scope, step):
    sim.faults.set(connector_id, Faults(fault="rate_limited", scope=scope))

    report = check(sim, connector_id)

    assert report.failed_step == step
    assert report.reason.endswith("rate limited by the exchange, retry after 30 s")


def test_mexc_refuses_a_pair_whose_permissions_do_not_include_spot(sim):
    # given MEXC lists DOGEUSDT as enabled and isSpotTradingAllowed, but for MARGIN only
    markets = {m.trading_pair: m for m in probe_for(sim, "mexc").markets()}
    assert not markets["DOGE-USDT"].active
    assert markets["BTC-USDT"].active

    report = check(sim, "mexc", pair="DOGE-USDT")

    # then the markets step refuses it, as Hummingbot's connector would not trade it
    assert report.failed_step == Step.MARKETS
    assert report.reason == (
        "DOGE-USDT is listed (DOGEUSDT) but not spot-tradable: "
        "its permissions (MARGIN) do not include SPOT"
    )


def test_kraken_maps_xbt_to_btc_and_uses_its_own_names(sim):
    probe = probe_for(sim, "kraken")
    markets = {m.trading_pair: m for m in probe.markets()}

    assert markets["BTC-USD"].symbol == "XBTUSD"
    assert markets["BTC-USD"].extra["wsname"] == "XBT/USD"
    assert markets["DOGE-USD"].symbol == "XDGUSD"
    assert "BTC-USD.D" not in markets  # dark pool skipped


def test_kucoin_futures_keeps_xbt_like_hummingbot(sim):
    markets = {m.trading_pair: m.symbol for m in probe_for(sim, "kucoin_perpetual").markets()}

    assert markets["XBT-USDT"] == "XBTUSDTM"


def test_hyperliquid_spot_resolves_token_names_and_skips_unknown_tokens(sim):
    markets = {m.trading_pair: m.symbol for m in probe_for(sim, "hyperliquid").markets()}

    assert markets == {"PURR-USDC": "PURR/USDC", "HYPE-USDC": "@107"}


def test_connection_refused_is_a_reason_not_an_exception():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens once it is closed
    probe = BUNDLED["binance"](
        endpoints=Endpoints(f"http://127.0.0.1:{port}", f"ws://127.0.0.1:{port}/ws"),
        timeouts=FAST,
    )

    report = run_check(probe=probe, trading_pair="BTC-USDT", limits=LIMITS)

    assert report.failed_step == Step.SERVER_TIME
    assert report.reason == (
        f"GET /api/v3/time failed to connect: 127.0.0.1:{port} refused the connection"
    )


def test_stream_url_that_refuses_fails_the_stream_step(sim):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    probe = BUNDLED["bybit"](
        endpoints=Endpoints(sim.rest_url("bybit"), f"ws://127.0.0.1:{port}/ws"), timeouts=FAST
    )

    report = run_check(probe=probe, trading_pair="BTC-USDT", limits=LIMITS)

    assert report.failed_step == Step.STREAM
    assert "WebSocket connection failed" in report.reason


@pytest.mark.parametrize(
    ("connector_id", "reason"),
    [
        ("okx", "subscription rejected: Wrong URL or channel"),
        ("kraken", "subscription rejected: Currency pair not supported"),
        ("bitget", "subscription rejected: instType:SPOT,channel:books"),
    ],
)
def test_stream_subscription_errors_are_reported(sim, connector_id, reason):
    # given a market the REST API lists but the stream does not know
    from health.connectors import Market

    probe = probe_for(sim, connector_id)
    market = Market(symbol="NOPE", trading_pair="NOPE-USD", extra={"wsname": "NOPE/USD"})

    with pytest.raises(ProbeError) as raised:
        probe.stream_first_message(market)

    assert reason in raised.value.reason


GATEWAY_CASES = [("uniswap", "clmm", "WETH-USDC"), ("jupiter", "router", "SOL-USDC")]


@pytest.mark.parametrize(("name", "kind", "pair"), GATEWAY_CASES)
def test_gateway_connector_is_healthy(sim, name, kind, pair):
    probe = GatewayConnector(
        connector_name=name,
        trading_type=kind,
        endpoints=Endpoints(sim.rest_url("gateway"), ""),
        timeouts=FAST,
    )

    report = run_check(probe=probe, trading_pair="", limits=LIMITS)

    assert report.verdict == Verdict.UP, report.reason
    assert report.steps[-1].ok is None  # Gateway has no stream
    assert "configured on" in report.steps[1].detail


@pytest.mark.parametrize(
    ("fault", "step", "reason"),
    [
        ("http_500", Step.SERVER_TIME, "HTTP 500"),
        ("empty_book", Step.ORDER_BOOK, "order book is empty"),
        ("crossed_book", Step.ORDER_BOOK, "crossed"),
    ],
)
def test_gateway_faults(sim, fault, step, reason):
    sim.faults.set("gateway", Faults(fault=fault))
    probe = GatewayConnector(
        connector_name="uniswap",
        trading_type="amm",
        endpoints=Endpoints(sim.rest_url("gateway"), ""),
        timeouts=FAST,
    )

    report = run_check(probe=probe, trading_pair="", limits=LIMITS)

    assert report.failed_step == step
    assert reason in report.reason


def test_gateway_connector_not_configured_fails_markets(sim):
    probe = GatewayConnector(
        connector_name="sushiswap",
        trading_type="amm",
        endpoints=Endpoints(sim.rest_url("gateway"), ""),
        timeouts=FAST,
    )

    report = run_check(probe=probe, trading_pair="", limits=LIMITS)

    assert report.failed_step == Step.MARKETS
    assert report.reason == "sushiswap/amm is not configured in Gateway"
