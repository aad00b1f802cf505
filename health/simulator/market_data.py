"""Deterministic market data: the same markets, books and trades at every start."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

MIDS = {
    "BTC": Decimal("65000"),
    "XBT": Decimal("65000"),
    "ETH": Decimal("3200"),
    "WETH": Decimal("3200"),
    "SOL": Decimal("150"),
    "DOGE": Decimal("0.15"),
    "HYPE": Decimal("25"),
    "PURR": Decimal("0.2"),
    "LUNA": Decimal("0.5"),
}
DEPTH = 10
STEP = Decimal("0.0001")  # 1 bp between levels


@dataclass(frozen=True)
class SimMarket:
    base: str
    quote: str
    active: bool = True

    @property
    def pair(self) -> str:
        return f"{self.base}-{self.quote}"

    @property
    def mid(self) -> Decimal:
        return MIDS[self.base]


USDT_MARKETS = (
    SimMarket("BTC", "USDT"),
    SimMarket("ETH", "USDT"),
    SimMarket("SOL", "USDT"),
    SimMarket("LUNA", "USDT", active=False),
)
USD_MARKETS = (
    SimMarket("BTC", "USD"),
    SimMarket("ETH", "USD"),
    SimMarket("DOGE", "USD"),
    SimMarket("SOL", "USD", active=False),
)

Row = tuple[str, str]


def _fmt(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.00000001")).normalize(), "f")


def book(
    mid: Decimal, *, empty: bool = False, crossed: bool = False
) -> tuple[list[Row], list[Row]]:
    """Ten levels a side around ``mid``, best first; or the faults' empty / crossed book."""
    if empty:
        return [], []
    bids = [
        (_fmt(mid * (1 - STEP * (i + 1))), _fmt(Decimal("0.5") + Decimal(i) / 4))
        for i in range(DEPTH)
    ]
    asks = [
        (_fmt(mid * (1 + STEP * (i + 1))), _fmt(Decimal("0.4") + Decimal(i) / 5))
        for i in range(DEPTH)
    ]
    if crossed:  # the best bid sits above the best ask
        bids[0] = (_fmt(mid * (1 + STEP * 5)), bids[0][1])
    return bids, asks


def trade(mid: Decimal) -> Row:
    return _fmt(mid), "0.0125"
