"""The facts beside a poll's choices, looked up by choice in templates."""

from __future__ import annotations

from django import template

from governance.ballot import BallotFacts
from governance.extension_points import ChoiceFacts

register = template.Library()


@register.filter
def facts_for(ballot: BallotFacts | None, position: int) -> ChoiceFacts | None:
    """``{% with facts=ballot_facts|facts_for:row.choice.position %}``."""
    return ballot.get(int(position)) if isinstance(ballot, BallotFacts) else None
