"""factory_boy factories for the governance models (rules, epochs, polls, choices)."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.utils import timezone

from governance.models import (
    AllocationRule,
    Choice,
    Epoch,
    GovernanceRules,
    Poll,
    PollKind,
    PollStatus,
    ProposalRule,
    ProposalType,
    VotingMethod,
)


class GovernanceRulesFactory(factory.django.DjangoModelFactory):
    """Rules shaped like HGP-50 (Epochs 7-9): CEX/DEX polls, weighted, 200K threshold,
    1M HBOT shared pro-rata by the top 4, capped at 800K."""

    class Meta:
        model = GovernanceRules
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"rules-{n}")
    name = factory.Sequence(lambda n: f"Test rules {n}")
    effective_from = factory.Sequence(lambda n: date(2000, 1, 1) + timedelta(days=n))
    poll_kinds = factory.LazyFunction(lambda: [PollKind.CEX, PollKind.DEX])
    voting_method = VotingMethod.WEIGHTED
    poll_duration_days = 14
    inclusion_threshold_hbot = 200_000
    threshold_inclusive = True
    allocation_rule = AllocationRule.PRO_RATA_TOP_N
    pool_per_poll_hbot = 1_000_000
    top_n = 4
    cap_per_choice_hbot = 800_000
    max_choices = 20


class ProposalRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProposalRule

    rules = factory.SubFactory(GovernanceRulesFactory)
    proposal_type = ProposalType.HGP
    min_balance_hbot = 200_000
    quorum_hbot = 5_000_000
    approval_percent = 50
    discussion_days = 2
    vote_days = 3


class EpochFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Epoch
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: 100 + n)
    name = factory.LazyAttribute(lambda o: f"Epoch {o.number}")
    starts_on = factory.LazyFunction(lambda: timezone.now().date() - timedelta(days=7))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + timedelta(days=90))
    rules = factory.SubFactory(GovernanceRulesFactory)


class PollFactory(factory.django.DjangoModelFactory):
    """A draft poll; traits give the other states (with what each state requires)."""

    class Meta:
        model = Poll

    epoch = factory.SubFactory(EpochFactory)
    kind = PollKind.CEX
    title = factory.Sequence(lambda n: f"Test poll {n}")
    rules = factory.LazyAttribute(lambda o: o.epoch.rules if o.epoch else None)
    voting_method = VotingMethod.WEIGHTED
    status = PollStatus.DRAFT

    class Params:
        archived = factory.Trait(
            status=PollStatus.FINALIZED,
            is_archived=True,
            finalized_at=factory.LazyFunction(timezone.now),
        )


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    poll = factory.SubFactory(PollFactory)
    position = factory.Sequence(lambda n: n + 1)
    label = factory.Sequence(lambda n: f"Choice {n}")
