"""factory_boy factories for every model the tests create."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from connectors_registry.models import (
    Chain,
    Connector,
    ConnectorType,
    Exchange,
    ExchangeKind,
    InclusionStatus,
    Maintainer,
    Namespace,
    SubType,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class ChainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chain
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Chain {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class ExchangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exchange

    name = factory.Sequence(lambda n: f"Exchange {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = ExchangeKind.CEX
    website = factory.LazyAttribute(lambda o: f"https://{o.slug}.example.com")
    docs_url = factory.LazyAttribute(lambda o: f"https://hummingbot.org/exchanges/{o.slug}/")
    is_sponsor = False


class MaintainerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Maintainer

    display_name = factory.Sequence(lambda n: f"Maintainer {n}")
    github_handle = factory.Sequence(lambda n: f"dev-{n}")
    wallet_address = factory.Sequence(lambda n: f"0x{n:040x}")


class ConnectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Connector

    exchange = factory.SubFactory(ExchangeFactory)
    namespace = Namespace.CLIENT
    connector_id = factory.Sequence(lambda n: f"exchange_{n}")
    connector_type = ConnectorType.CLOB_CEX
    sub_type = SubType.SPOT
    slug = factory.LazyAttribute(
        lambda o: (
            f"{o.connector_id}-{o.sub_type}" if o.namespace == Namespace.GATEWAY else o.connector_id
        )
    )
    code_path = factory.LazyAttribute(lambda o: f"hummingbot/connector/exchange/{o.connector_id}")
    status = InclusionStatus.IN_CODEBASE


# --- bounties ---------------------------------------------------------------------------
# (appended by the bounties capability)
import datetime as _dt  # noqa: E402
from decimal import Decimal as _Decimal  # noqa: E402

from bounties.models import (  # noqa: E402
    Bounty,
    BountyStatus,
    BountyType,
    Denomination,
    FundingSource,
    Pot,
)
from governance.models import (  # noqa: E402
    Choice,
    Poll,
    PollKind,
    PollStatus,
    PotCredit,
    Proposal,
    ProposalAction,
    ProposalOutcome,
    ProposalType,
)


class MaintainerUserFactory(MaintainerFactory):
    """A maintainer who signs in: a user named after the wallet, like wallet sign-in makes."""

    wallet_address = factory.Sequence(lambda n: f"0x{0xB0B7 * 10**6 + n:040x}")

    user = factory.SubFactory(
        UserFactory, username=factory.LazyAttribute(lambda o: o.factory_parent.wallet_address)
    )


class PotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pot

    exchange = factory.SubFactory(ExchangeFactory)
    name = factory.LazyAttribute(lambda o: o.exchange.name if o.exchange else "pot")
    slug = factory.LazyAttribute(lambda o: o.exchange.slug if o.exchange else "pot")


class BountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Bounty

    title = factory.Sequence(lambda n: f"Fix order book resync {n}")
    description = "The order book drifts after a reconnect."
    bounty_type = BountyType.BUG
    priority = "P2"
    exchange = factory.SubFactory(ExchangeFactory)
    amount = _Decimal("50000")
    denomination = Denomination.HBOT
    funding_source = FundingSource.POT
    status = BountyStatus.POTENTIAL
    issue_url = factory.Sequence(
        lambda n: f"https://github.com/hummingbot/hummingbot/issues/{7000 + n}"
    )
    tracker_id = factory.Sequence(lambda n: str(7000 + n))


class FinalizedPollFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Poll

    kind = PollKind.CEX
    title = factory.Sequence(lambda n: f"Epoch 99 CEX Poll {n}")
    reference = factory.Sequence(lambda n: f"HGP-{900 + n}")
    status = PollStatus.FINALIZED
    rules = factory.SubFactory("tests.governance.factories.GovernanceRulesFactory")
    snapshot_block = 1
    chain_id = 1
    ends_at = factory.LazyFunction(lambda: _dt.datetime(2024, 2, 1, tzinfo=_dt.UTC))


class PollPotCreditFactory(factory.django.DjangoModelFactory):
    """A pot credit as a finalized poll writes it: one per allocated choice."""

    class Meta:
        model = PotCredit

    exchange = factory.SubFactory(ExchangeFactory)
    connector = None
    chain = None
    label = factory.LazyAttribute(lambda o: o.exchange.name if o.exchange else "Choice")
    amount_hbot = 250_000
    poll = factory.SubFactory(FinalizedPollFactory)
    choice = factory.LazyAttribute(
        lambda o: Choice.objects.create(
            poll=o.poll,
            position=Choice.objects.filter(poll=o.poll).count() + 1,
            label=o.label,
            exchange=o.exchange,
            connector=o.connector,
            chain=o.chain,
        )
    )


class FundBountyProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal

    proposal_type = ProposalType.HGP
    number = factory.Sequence(lambda n: 200 + n)
    title = "Fund a bounty to upgrade the connector"
    action = ProposalAction.FUND_BOUNTY
    exchange = factory.SubFactory(ExchangeFactory)
    hbot_allocation = 300_000
    rules = factory.SubFactory("tests.governance.factories.GovernanceRulesFactory")
    outcome = ProposalOutcome.PASSED
