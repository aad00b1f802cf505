"""Governance panels other pages include: the connector page's poll history and the
signed-in holder's open polls. Thin: each tag calls one selector."""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from connectors_registry.models import Connector
from governance import selectors
from governance.models import AllocationRule, PollKind

register = template.Library()


@register.simple_tag
def connector_poll_history(connector: Connector) -> selectors.PollHistory:
    return selectors.connector_poll_history(connector=connector)


@register.simple_tag
def open_polls_for(user: AbstractBaseUser | AnonymousUser) -> list[selectors.HolderOnPoll]:
    return selectors.active_polls_for_user(user=user)


@register.filter
def allocation_label(value: str) -> str:
    """The words for an allocation rule stored in a poll's copied rules."""
    return str(AllocationRule(value).label) if value in AllocationRule.values else value


@register.filter
def kind_label(value: str) -> str:
    return str(PollKind(value).label) if value in PollKind.values else value


@register.filter
def kind_short(value: str) -> str:
    """A poll kind without the trailing "connectors": "CLOB CEX", "Gateway DEX"."""
    return kind_label(value).removesuffix(" connectors")
