"""The connector page's poll history, the holder's open polls and proposal stages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connectors_registry.models import ConnectorType, SubType
from governance import selectors
from governance.chain.devchain import HBOT
from governance.models import (
    DecisionStatus,
    InclusionAction,
    InclusionDecision,
    PollKind,
    PollStatus,
    Proposal,
    ProposalType,
    Wallet,
)
from governance.services.polls import poll_open
from governance.services.votes import vote_cast
from tests.factories import ConnectorFactory, ExchangeFactory, UserFactory
from tests.governance.factories import ChoiceFactory, EpochFactory, PollFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def binance():
    exchange = ExchangeFactory(name="Binance")
    spot = ConnectorFactory(exchange=exchange, connector_id="binance")
    ConnectorFactory(
        exchange=exchange, connector_id="binance_perpetual", sub_type=SubType.PERPETUAL
    )
    return spot


def archived_poll(*, epoch, kind, **choice_fields):
    poll = PollFactory(epoch=epoch, kind=kind, archived=True)
    ChoiceFactory(poll=poll, position=1, **choice_fields)
    return poll


def test_history_lists_polls_on_the_connector_or_its_exchange(binance):
    # given an exchange poll (CEX), a spot-connector poll (Epoch 10 style), a poll on the
    # sibling perp connector, a DEX poll (which does not cover a CEX connector) and a draft
    exchange = binance.exchange
    perp = exchange.connectors.get(connector_id="binance_perpetual")
    cex = archived_poll(
        epoch=EpochFactory(number=8),
        kind=PollKind.CEX,
        label="Binance",
        exchange=exchange,
        final_rank=2,
        passed=True,
    )
    spot = archived_poll(
        epoch=EpochFactory(number=10),
        kind=PollKind.CLOB_SPOT,
        label="Binance",
        exchange=exchange,
        connector=binance,
    )
    archived_poll(
        epoch=EpochFactory(number=11),
        kind=PollKind.CLOB_PERP,
        label="Binance Perpetual",
        exchange=exchange,
        connector=perp,
    )
    archived_poll(
        epoch=EpochFactory(number=9), kind=PollKind.DEX, label="Binance DEX", exchange=exchange
    )
    draft = PollFactory(epoch=EpochFactory(number=12), kind=PollKind.CEX)
    ChoiceFactory(poll=draft, position=1, label="Binance", exchange=exchange)

    history = selectors.connector_poll_history(connector=binance)

    # then the spot connector sees its own poll and its exchange's CEX poll, newest first
    assert [c.poll for c in history.choices] == [spot, cex]
    assert history.choices[1].final_rank == 2


def test_history_shows_pending_decisions_only(binance):
    poll = archived_poll(
        epoch=EpochFactory(number=8),
        kind=PollKind.CEX,
        label="Binance",
        exchange=binance.exchange,
        passed=False,
    )
    pending = InclusionDecision.objects.create(
        connector=binance, poll=poll, action=InclusionAction.REMOVE, reason="HGP-55: below"
    )
    InclusionDecision.objects.create(
        connector=binance,
        poll=PollFactory(archived=True),
        action=InclusionAction.REMOVE,
        reason="older",
        status=DecisionStatus.DISMISSED,
        decided_at=timezone.now(),
    )

    history = selectors.connector_poll_history(connector=binance)

    assert history.pending_decisions == [pending]


@pytest.mark.parametrize("polls", [2, 20])
def test_history_costs_the_same_queries_for_any_number_of_polls(binance, polls):
    for number in range(polls):
        archived_poll(
            epoch=EpochFactory(number=200 + number),
            kind=PollKind.CEX,
            label="Binance",
            exchange=binance.exchange,
        )

    with CaptureQueriesContext(connection) as queries:
        history = selectors.connector_poll_history(connector=binance)
        for choice in history.choices:
            str(choice.poll.epoch.get_absolute_url())

    assert len(history.choices) == polls
    assert len(queries) == 3


def test_history_of_an_amm_connector_includes_gateway_polls():
    uniswap = ExchangeFactory(name="Uniswap")
    clmm = ConnectorFactory(
        exchange=uniswap,
        connector_type=ConnectorType.AMM_DEX,
        namespace="gateway",
        connector_id="uniswap",
        sub_type=SubType.CLMM,
    )
    gateway = archived_poll(
        epoch=EpochFactory(number=12), kind=PollKind.GATEWAY_DEX, label="Uniswap", exchange=uniswap
    )
    archived_poll(
        epoch=EpochFactory(number=13), kind=PollKind.CLOB_CEX, label="Uniswap", exchange=uniswap
    )

    history = selectors.connector_poll_history(connector=clmm)

    assert [c.poll for c in history.choices] == [gateway]


def test_holder_sees_each_open_poll_with_balance_at_its_snapshot_and_whether_voted(
    open_poll, chain_info, signed_vote
):
    # given bob signed in, and a vote of his on the open poll
    bob = chain_info.holders[1]
    user = UserFactory(username=bob.address)
    Wallet.objects.create(address=bob.address, user=user)
    typed_data, signature = signed_vote(poll=open_poll, key=bob.private_key, choices=[(1, 1)])
    vote_cast(typed_data=typed_data, signature=signature, poll_id=open_poll.pk)
    # and a second open poll he has not voted on
    other = PollFactory(epoch=open_poll.epoch, kind=PollKind.DEX)
    for position in (1, 2):
        ChoiceFactory(poll=other, position=position)
    poll_open(poll=other)

    standings = selectors.active_polls_for_user(user=user)

    assert [(s.poll, s.has_voted, s.balance) for s in standings] == [
        (open_poll, True, 2_250_000 * HBOT),
        (other, False, 2_250_000 * HBOT),
    ]
    assert standings[0].lines[0].label == "Binance"
    assert standings[0].lines[0].share == Decimal(100)


def test_visitor_without_wallet_gets_no_balances(open_poll):
    standings = selectors.active_polls_for_user(user=UserFactory())

    assert [(s.poll, s.wallet, s.balance) for s in standings] == [(open_poll, None, None)]


@pytest.mark.parametrize(
    ("status", "stage"),
    [
        (PollStatus.DRAFT, "discussion"),
        (PollStatus.ACTIVE, "voting"),
        (PollStatus.CLOSED, "closed"),
        (PollStatus.FINALIZED, "outcome"),
    ],
)
def test_proposal_stage_follows_its_vote(epoch, status, stage):
    # given a proposal whose vote is in ``status``
    opened = (
        {}
        if status == PollStatus.DRAFT
        else {"snapshot_block": 1, "chain_id": 1, "ends_at": timezone.now()}
    )
    poll = PollFactory(kind=PollKind.PROPOSAL, status=status, **opened)
    proposal = Proposal.objects.create(
        proposal_type=ProposalType.HGP, number=500, title="Add X", rules=epoch.rules, poll=poll
    )

    # then it is at ``stage``, and listed under that stage only
    assert selectors.proposal_stage(proposal) == stage
    for name in selectors.PROPOSAL_STAGES:
        expected = [proposal] if name == stage else []
        assert list(selectors.proposal_list(stage=name)) == expected, name


def test_unknown_proposal_stage_is_refused():
    with pytest.raises(ValueError, match="Unknown stage"):
        selectors.proposal_list(stage="bogus")
