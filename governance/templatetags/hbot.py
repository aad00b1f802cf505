from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.conf import settings

from governance.units import token_amount

register = template.Library()


@register.filter
def hbot(base_units: int | None) -> str:
    """Base units of HBOT as an exact, digit-grouped amount."""
    if base_units is None:
        return "—"
    return token_amount(int(base_units), settings.HBOT_DECIMALS, grouping=True)


@register.filter
def hbot_amount(value: Decimal | int | None) -> str:
    """An amount of whole HBOT for reading: grouped, whole above 1,000, else two places."""
    if value is None:
        return "—"
    amount = Decimal(value)
    if abs(amount) >= 1000 or amount == amount.to_integral_value():
        return f"{amount.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"
    return f"{amount.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


@register.filter
def percent(value: Decimal | float | None, places: int = 2) -> str:
    """A percentage with ``places`` decimals, e.g. 11.24%."""
    if value is None:
        return "—"
    quantum = Decimal(1).scaleb(-int(places))
    return f"{Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)}%"


@register.filter
def css_percent(value: float | Decimal | None) -> str:
    """A length for a style attribute, locale-proof: always a dot, clamped to 0-100."""
    number = min(100.0, max(0.0, float(value or 0)))
    return f"{number:.3f}%"
