"""Token amounts: base units (integers) to exact human-readable decimals."""

from __future__ import annotations


def token_amount(base_units: int, decimals: int, *, grouping: bool = False) -> str:
    """Exact decimal text, e.g. 1500000000000000000 -> "1.5" (or "1,500.25" grouped).

    Integer arithmetic only: Decimal's context would round amounts over 28 digits.
    """
    sign = "-" if base_units < 0 else ""
    whole, fraction = divmod(abs(base_units), 10**decimals)
    whole_text = f"{whole:,}" if grouping else str(whole)
    fraction_text = str(fraction).rjust(decimals, "0").rstrip("0") if decimals else ""
    return f"{sign}{whole_text}.{fraction_text}" if fraction_text else f"{sign}{whole_text}"
