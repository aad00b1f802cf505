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
