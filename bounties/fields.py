"""Money amounts: exact decimals in Python, whole micro-units (10^-6) in the database.

A ``DecimalField`` is not exact on SQLite (it stores and sums floats past 15 digits), and
18-decimal base units of HBOT overflow a 64-bit integer. Six decimal places are USDC's and
USDT's own precision, and a micro-HBOT is far below any bounty; 2^63 micro-units is 9.2
trillion, above HBOT's whole supply. Sums and comparisons run on integers in SQL, exact on
every database, and come back as ``Decimal``.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Combinable

AMOUNT_PLACES = 6
MICRO = 10**AMOUNT_PLACES
QUANTUM = Decimal(1).scaleb(-AMOUNT_PLACES)
MAX_MICRO = 2**63 - 1
MAX_AMOUNT = Decimal(MAX_MICRO) / MICRO


def to_amount(value: Any) -> Decimal:
    """``value`` as a Decimal with at most six decimal places, or ``ValueError`` saying why."""
    if isinstance(value, float):
        raise ValueError("amounts are never floats; pass a Decimal, an int or a string")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not a number")
    if amount != amount.quantize(QUANTUM, rounding="ROUND_DOWN"):
        raise ValueError(f"{value} has more than {AMOUNT_PLACES} decimal places")
    if abs(amount) > MAX_AMOUNT:
        raise ValueError(f"{value} is too large")
    return amount.quantize(QUANTUM) if amount == amount.to_integral_value() else amount


def to_micro(value: Any) -> int:
    return int(to_amount(value) * MICRO)


def from_micro(micro: int) -> Decimal:
    return (Decimal(int(micro)) / MICRO).quantize(QUANTUM)


class AmountField(models.BigIntegerField):
    """A ``Decimal`` amount with six decimal places, stored as integer micro-units."""

    description = "Exact amount with six decimal places"
    # What django-stubs' mypy plugin reads as the attribute's set and get types.
    _pyi_private_set_type: Decimal | int | str | Combinable  # type: ignore[assignment]
    _pyi_private_get_type: Decimal  # type: ignore[assignment]

    def from_db_value(self, value: Any, expression: Any, connection: BaseDatabaseWrapper) -> Any:
        return None if value is None else from_micro(int(value))

    def to_python(self, value: Any) -> Decimal | None:
        if value is None or value == "":
            return None
        try:
            return to_amount(value)
        except ValueError as exc:
            raise ValidationError(f"Enter an amount: {exc}.") from None

    def get_prep_value(self, value: Any) -> Any:
        if value is None or hasattr(value, "resolve_expression"):
            return value
        return to_micro(value)

    def formfield(self, **kwargs: Any) -> Any:
        defaults: dict[str, Any] = {
            "form_class": forms.DecimalField,
            "decimal_places": AMOUNT_PLACES,
            "max_digits": 19 + AMOUNT_PLACES,
        }
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)


def display_amount(amount: Decimal | int | None) -> str:
    """For people: ``1,234,567.5``, no trailing zeros, digits grouped; ``—`` when unknown."""
    if amount is None:
        return "—"
    return format(Decimal(amount).normalize(), ",f")
