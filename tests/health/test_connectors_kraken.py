"""Kraken's asset names as Hummingbot translates them."""

from __future__ import annotations

import pytest

from health.connectors.kraken import hummingbot_asset


@pytest.mark.parametrize(
    ("kraken", "hummingbot"),
    [
        ("XXBT", "BTC"),  # strip the X, then XBT -> BTC
        ("XBT", "BTC"),
        ("XXDG", "DOGE"),
        ("XDG", "DOGE"),
        ("ZUSD", "USD"),
        ("ZEUR", "EUR"),
        ("ZGBP", "GBP"),  # any 4-letter code with a leading X or Z, not a fixed list
        ("ZJPY", "JPY"),
        ("XLTC", "LTC"),
        ("XXRP", "XRP"),
        ("XXLM", "XLM"),
        ("XZEC", "ZEC"),
        ("xeth", "ETH"),
        ("USDT", "USDT"),  # 4 letters without X/Z: kept
        ("XTZ", "XTZ"),  # 3 letters: kept
        ("ZRX", "ZRX"),
        ("DOT", "DOT"),
    ],
)
def test_asset_names_follow_hummingbots_rule(kraken, hummingbot):
    assert hummingbot_asset(kraken) == hummingbot
