"""Token amounts: base units (integers) to exact human-readable decimals."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction


def token_amount(base_units: int, decimals: int, *, grouping: bool = False) -> str:
    """Exact decimal text, e.g. 1500000000000000000 -> "1.5" (or "1,500.25" grouped).

    Integer arithmetic only: Decimal's context would round amounts over 28 digits.
    """
    sign = "-" if base_units < 0 else ""
    whole, fraction = divmod(abs(base_units), 10**decimals)
    whole_text = f"{whole:,}" if grouping else str(whole)
    fraction_text = str(fraction).rjust(decimals, "0").rstrip("0") if decimals else ""
    return f"{sign}{whole_text}.{fraction_text}" if fraction_text else f"{sign}{whole_text}"


SCORE_QUANTUM = Decimal("1e-18")  # HBOT, as results are shown and frozen
SHARE_QUANTUM = Decimal("1e-6")  # percent


def decimal_round(value: Fraction | int, quantum: Decimal) -> Decimal:
    """An exact value rounded to ``quantum`` (a power of ten), half to even, as a Decimal
    with every digit kept (no context precision applies)."""
    exponent = int(quantum.as_tuple().exponent)
    return Decimal(f"{round(Fraction(value) * Fraction(10) ** -exponent)}E{exponent}")
