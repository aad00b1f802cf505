"""Filters of the governance API's lists."""

from __future__ import annotations

import django_filters

from core.filters import BooleanFilter, IntegerFilter
from governance.models import (
    Poll,
    PollKind,
    PollStatus,
    Proposal,
    ProposalAction,
    ProposalOutcome,
    ProposalType,
)


class PollFilter(django_filters.FilterSet):
    epoch = IntegerFilter(field_name="epoch__number", label="Epoch number")
    kind = django_filters.ChoiceFilter(choices=PollKind.choices, empty_label="Any kind")
    status = django_filters.ChoiceFilter(choices=PollStatus.choices, empty_label="Any status")
    archived = BooleanFilter(
        field_name="is_archived", label="Archived (published before this site)"
    )

    class Meta:
        model = Poll
        fields: list[str] = []


class ProposalFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(
        field_name="proposal_type", choices=ProposalType.choices, empty_label="Any type"
    )
    action = django_filters.ChoiceFilter(choices=ProposalAction.choices, empty_label="Any action")
    outcome = django_filters.ChoiceFilter(
        choices=ProposalOutcome.choices, empty_label="Any outcome"
    )
    proposer = django_filters.CharFilter(field_name="proposer", lookup_expr="iexact")

    class Meta:
        model = Proposal
        fields: list[str] = []
