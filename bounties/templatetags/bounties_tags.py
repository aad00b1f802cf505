from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.urls import NoReverseMatch
from django.utils.safestring import SafeString

from bounties.charts import balance_chart
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
    return balance_chart(points=points, denomination=denomination)


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
