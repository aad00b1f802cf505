from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.urls import NoReverseMatch
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from bounties.charts import NARROW, WIDE, balance_chart
from bounties.fields import display_amount
from bounties.selectors import HistoryPoint, connector_bounty_panels
from connectors_registry.models import Connector

register = template.Library()


@register.filter
def amount(value: Decimal | int | None) -> str:
    """An exact amount for people: ``1,234,567.5``."""
    return display_amount(value)


@register.simple_tag
def bounty_panels(connector: Connector) -> dict[str, Any]:
    """The pot and bounty panels of a connector's page."""
    return connector_bounty_panels(connector=connector)


@register.simple_tag
def pot_chart(points: list[HistoryPoint], denomination: str) -> SafeString:
    """The chart twice: a wide one, and a narrow one with fewer, larger labels that phones
    show instead (bounties.css), since a wide chart shrunk to a phone's width has text too
    small to read."""
    return SafeString(
        balance_chart(points=points, denomination=denomination, width=WIDE)
        + balance_chart(points=points, denomination=denomination, width=NARROW)
    )


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def url_of(obj: Any) -> str:
    """``obj.get_absolute_url()``, or "" while the page it names does not exist (governance's
    poll and proposal pages may be deployed later than the bounties)."""
    try:
        return str(obj.get_absolute_url()) if obj is not None else ""
    except NoReverseMatch:
        return ""


@register.filter
def soft_breaks(value: object) -> SafeString:
    """The text, escaped, with a line-break opportunity after each ``_`` and ``/``, so a
    connector id such as ``binance_perpetual`` wraps at its parts in a narrow column."""
    text = str(escape(value))
    return mark_safe(text.replace("_", "_<wbr>").replace("/", "/<wbr>"))  # noqa: S308 (escaped)
