"""Poll lifecycle: create (draft) -> open (snapshot fixed, rules copied) -> close -> finalize,
and beat's ``polls_advance`` moving every poll whose time has come."""

from __future__ import annotations

import socket
from datetime import timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from django.utils import timezone

from connectors_registry.models import (
    Connector,
    ConnectorType,
    InclusionStatus,
    Namespace,
    SubType,
)
from governance.chain.devchain import HBOT
from governance.choices import ChoiceSpec
from governance.models import (
    Choice,
    DecisionStatus,
    Epoch,
    InclusionAction,
    InclusionDecision,
    Poll,
    PollKind,
    PollStatus,
    PotCredit,
    Vote,
)
from governance.results import poll_result_compute
from governance.selectors import poll_totals_recount
from governance.services.errors import (
    ChainUnavailable,
    GovernanceError,
    PollStateError,
    VotePollNotActive,
)
from governance.services.polls import (
    poll_close,
    poll_create,
    poll_finalize,
    poll_open,
    polls_advance,
)
from governance.services.votes import vote_cast
from tests.factories import ConnectorFactory, ExchangeFactory
from tests.governance.factories import EpochFactory, GovernanceRulesFactory

pytestmark = pytest.mark.django_db


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def labels(poll: Poll) -> list[str]:
    return list(poll.choices.order_by("position").values_list("label", flat=True))


def specs(*names: str) -> list[ChoiceSpec]:
    return [ChoiceSpec(label=name) for name in names]


@pytest.fixture
def holders(chain_info):
    """Balances at the session dev chain's snapshot (after the second round), in HBOT:
    alice 4,000,000; bob 2,250,000; carol 1,000,000; heidi 60,000."""
    return {h.name: h for h in chain_info.holders}


@pytest.fixture
def vote(signed_vote):
    def cast(poll: Poll, holder: Any, choices: list[tuple[int, int]], **kwargs: Any) -> Vote:
        typed_data, signature = signed_vote(
            poll=poll, key=holder.private_key, choices=choices, **kwargs
        )
        return vote_cast(typed_data=typed_data, signature=signature, poll_id=poll.pk)

    return cast


def close_now(poll: Poll) -> Poll:
    assert poll_close(poll=poll, now=poll.ends_at)
    return Poll.objects.get(pk=poll.pk)


# --- create --------------------------------------------------------------------------


def test_cex_poll_offers_every_exchange_with_a_clob_cex_connector_in_the_codebase(
    catalogue, history
):
    # given the shipped catalogue and Epoch 12 (HGP-70: CLOB CEX / CLOB DEX / Gateway DEX)
    epoch = Epoch.objects.get(number=12)
    Connector.objects.filter(connector_id="ndax").update(status=InclusionStatus.REMOVED)

    # when a CLOB CEX poll is created without choices
    poll = poll_create(epoch=epoch, kind=PollKind.CLOB_CEX, reference="HGP-68")

    # then it is a draft under the epoch's rules, offering each such exchange once
    expected = set(
        Connector.objects.in_codebase()
        .filter(connector_type=ConnectorType.CLOB_CEX)
        .values_list("exchange__name", flat=True)
    )
    assert set(labels(poll)) == expected
    assert {"Binance", "OKX", "Kraken"} <= expected
    assert "NDAX" not in expected  # its only connector is out of the codebase
    assert len(labels(poll)) == len(expected)
    assert list(poll.choices.values_list("position", flat=True)) == list(
        range(1, len(expected) + 1)
    )
    assert all(c.exchange is not None and c.connector is None for c in poll.choices.all())
    assert poll.status == PollStatus.DRAFT
    assert poll.rules.slug == "hgp-70-2025"
    assert poll.voting_method == "weighted"
    assert poll.title == "Epoch 12 CLOB CEX connectors Poll"
    assert poll.snapshot_block is None


def test_clob_perp_poll_offers_each_perpetual_connector(catalogue, history):
    # given Epoch 10, which polled spot and perpetual connectors separately
    epoch = Epoch.objects.get(number=10)

    poll = poll_create(epoch=epoch, kind=PollKind.CLOB_PERP)

    # then every choice is one perpetual connector, labelled after its exchange
    choices = list(poll.choices.select_related("connector"))
    assert choices
    assert all(c.connector.sub_type == SubType.PERPETUAL for c in choices)
    assert all(c.label == f"{c.connector.exchange.name} Perpetual" for c in choices)
    binance = next(c for c in choices if c.label == "Binance Perpetual")
    assert binance.connector.connector_id == "binance_perpetual"
    assert len(choices) == Connector.objects.in_codebase().filter(sub_type="perpetual").count()


def test_gateway_dex_poll_offers_the_amm_exchanges(catalogue, history):
    poll = poll_create(epoch=Epoch.objects.get(number=12), kind=PollKind.GATEWAY_DEX)

    expected = set(
        Connector.objects.in_codebase()
        .filter(connector_type=ConnectorType.AMM_DEX)
        .values_list("exchange__name", flat=True)
    )
    assert set(labels(poll)) == expected
    assert "Uniswap" in expected


def test_poll_of_a_kind_the_epochs_rules_lack_is_refused(catalogue, history):
    # given Epoch 12, whose rules have no plain CEX poll
    epoch = Epoch.objects.get(number=12)

    with pytest.raises(GovernanceError) as raised:
        poll_create(epoch=epoch, kind=PollKind.CEX)

    # then the message names what the rules provide, and nothing is written
    assert "CLOB CEX connectors" in raised.value.message
    assert not Poll.objects.filter(is_archived=False).exists()


@pytest.mark.parametrize("kind", [PollKind.PROPOSAL, "stocks"])
def test_proposal_or_unknown_kind_is_not_a_connector_poll(epoch, kind):
    with pytest.raises(GovernanceError, match="not a connector poll kind"):
        poll_create(epoch=epoch, kind=kind, choices=specs("A", "B"))
    assert not Poll.objects.exists()


def test_epoch_without_rules_in_force_cannot_have_polls(db):
    epoch = EpochFactory(rules=None, starts_on=timezone.now().date())

    with pytest.raises(GovernanceError, match="No governance rules"):
        poll_create(epoch=epoch, kind=PollKind.CEX, choices=specs("A", "B"))


def test_poll_needs_two_choices(epoch):
    with pytest.raises(GovernanceError, match="at least two choices"):
        poll_create(epoch=epoch, kind=PollKind.CEX, choices=specs("Only"))
    assert not Poll.objects.exists()


def test_choices_with_the_same_label_are_refused_and_nothing_is_written(epoch):
    with pytest.raises(GovernanceError, match="same label"):
        poll_create(epoch=epoch, kind=PollKind.CEX, choices=specs("A", "B", "A"))
    assert not Poll.objects.exists()
    assert not Choice.objects.exists()


# --- open ----------------------------------------------------------------------------


def test_open_fixes_the_snapshot_block_and_copies_the_rules(chain_settings, chain_info, draft_poll):
    # when a draft opens
    now = timezone.now()
    poll = poll_open(poll=draft_poll, now=now)

    # then the snapshot is the chain's latest final block, and the rules are copied
    poll.refresh_from_db()
    assert poll.status == PollStatus.ACTIVE
    assert poll.snapshot_block == chain_info.second_round_block
    assert poll.chain_id == chain_info.chain_id
    assert poll.token_address == chain_info.token_address
    assert poll.opened_at == now
    assert poll.ends_at == now + timedelta(days=14)
    assert poll.rules_snapshot == poll.rules.as_snapshot()
    assert poll.rules_snapshot["inclusion_threshold_hbot"] == 200_000


def test_rules_changed_after_opening_do_not_change_the_result(
    chain_settings, draft_poll, holders, vote
):
    # given an open poll where carol gave choice 1 exactly 1,000,000 HBOT
    poll = poll_open(poll=draft_poll)
    vote(poll, holders["carol"], [(1, 1)])

    # when the rules version is later changed to a 2,000,000 HBOT threshold
    rules = poll.rules
    rules.inclusion_threshold_hbot = 2_000_000
    rules.save()

    # then the poll still judges by the 200,000 it copied
    result = recounted(Poll.objects.get(pk=poll.pk))
    assert result.threshold_hbot == 200_000
    assert next(c for c in result.choices if c.choice.position == 1).passed


def test_open_uses_the_rules_voting_method(chain_settings, db):
    epoch = EpochFactory(rules=GovernanceRulesFactory(voting_method="quadratic"))
    poll = poll_create(epoch=epoch, kind=PollKind.CEX, choices=specs("A", "B"))

    assert poll_open(poll=poll).voting_method == "quadratic"


def test_an_open_poll_cannot_be_opened_again(open_poll):
    with pytest.raises(PollStateError, match="not a draft"):
        poll_open(poll=open_poll)


def test_poll_with_more_choices_than_the_rules_allow_does_not_open(
    chain_settings, catalogue, history
):
    # given Epoch 12's CLOB CEX poll with every catalogue exchange (more than Snapshot's 20)
    poll = poll_create(epoch=Epoch.objects.get(number=12), kind=PollKind.CLOB_CEX)
    assert poll.choices.count() > 20

    with pytest.raises(PollStateError, match="at most 20"):
        poll_open(poll=poll)
    assert Poll.objects.get(pk=poll.pk).status == PollStatus.DRAFT


def test_poll_left_with_one_choice_does_not_open(chain_settings, draft_poll):
    draft_poll.choices.exclude(position=1).delete()

    with pytest.raises(PollStateError, match="at least two choices"):
        poll_open(poll=draft_poll)


def test_chain_down_leaves_the_poll_a_draft(settings, draft_poll):
    # given a node that refuses connections
    settings.ETH_RPC_URL = closed_port_url()

    with pytest.raises(ChainUnavailable) as raised:
        poll_open(poll=draft_poll)

    assert raised.value.code == "chain_unavailable"
    poll = Poll.objects.get(pk=draft_poll.pk)
    assert poll.status == PollStatus.DRAFT
    assert poll.snapshot_block is None
    assert poll.rules_snapshot == {}


def test_node_of_another_chain_leaves_the_poll_a_draft(chain_settings, draft_poll):
    chain_settings.ETH_CHAIN_ID = 1

    with pytest.raises(ChainUnavailable, match="chain id"):
        poll_open(poll=draft_poll)
    assert Poll.objects.get(pk=draft_poll.pk).status == PollStatus.DRAFT


# --- close ---------------------------------------------------------------------------


def test_close_before_the_end_does_nothing(open_poll):
    assert poll_close(poll=open_poll, now=open_poll.ends_at - timedelta(seconds=1)) is False
    assert Poll.objects.get(pk=open_poll.pk).status == PollStatus.ACTIVE


def test_close_at_the_end_closes_and_votes_are_refused_after(open_poll, holders, vote):
    # when the poll closes at its end
    end = open_poll.ends_at
    assert poll_close(poll=open_poll, now=end) is True

    # then it is closed at that moment
    poll = Poll.objects.get(pk=open_poll.pk)
    assert poll.status == PollStatus.CLOSED
    assert poll.closed_at == end
    # and a vote is refused, even one signed before the end
    with pytest.raises(VotePollNotActive):
        vote(open_poll, holders["alice"], [(1, 1)])
    # and closing again does nothing
    assert poll_close(poll=poll, now=end + timedelta(days=1)) is False


def test_a_draft_is_never_closed(draft_poll):
    assert poll_close(poll=draft_poll, now=timezone.now() + timedelta(days=365)) is False


# --- finalize ------------------------------------------------------------------------


@pytest.fixture
def registry() -> dict[str, Any]:
    """Five CEX exchanges: Delta has a spot and a perpetual CLOB connector, an AMM connector
    (not judged by a CEX poll) and one already removed."""
    names = ("Alpha", "Bravo", "Charlie", "Delta", "Echo")
    exchanges = {name: ExchangeFactory(name=name) for name in names}
    connectors = {
        name: ConnectorFactory(exchange=exchange, connector_id=name.lower())
        for name, exchange in exchanges.items()
    }
    delta = exchanges["Delta"]
    connectors["delta_perpetual"] = ConnectorFactory(
        exchange=delta, connector_id="delta_perpetual", sub_type=SubType.PERPETUAL
    )
    connectors["delta_amm"] = ConnectorFactory(
        exchange=delta,
        connector_id="delta",
        namespace=Namespace.GATEWAY,
        connector_type=ConnectorType.AMM_DEX,
        sub_type=SubType.AMM,
    )
    connectors["delta_old"] = ConnectorFactory(
        exchange=delta, connector_id="delta_old", status=InclusionStatus.REMOVED
    )
    return {"exchanges": exchanges, "connectors": connectors}


@pytest.fixture
def finalized(chain_settings, epoch, registry, holders, vote):
    """A CEX poll of the registry's five exchanges, voted, closed and finalized:
    Alpha 4M (alice), Bravo 2.25M (bob), Charlie 1M (carol), Delta 60K (heidi), Echo 0."""
    poll = poll_open(poll=poll_create(epoch=epoch, kind=PollKind.CEX, reference="HGP-T1"))
    assert labels(poll) == ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]
    for name, position in (("alice", 1), ("bob", 2), ("carol", 3), ("heidi", 4)):
        vote(poll, holders[name], [(position, 1)])
    poll = close_now(poll)
    result = poll_finalize(poll=poll, now=poll.closed_at + timedelta(hours=1))
    return Poll.objects.get(pk=poll.pk), result


def test_finalize_freezes_the_tally(finalized):
    poll, result = finalized

    assert poll.status == PollStatus.FINALIZED
    assert poll.finalized_at is not None
    assert poll.voter_count == 4
    assert poll.total_power == 7_310_000 * HBOT
    frozen = {c.label: (c.final_score, c.final_rank, c.passed) for c in poll.choices.all()}
    assert frozen == {
        "Alpha": (Decimal(4_000_000), 1, True),
        "Bravo": (Decimal(2_250_000), 2, True),
        "Charlie": (Decimal(1_000_000), 3, True),
        "Delta": (Decimal(60_000), 4, False),
        "Echo": (Decimal(0), 5, False),
    }
    delta = poll.choices.get(label="Delta")
    assert delta.failure_reason == "Below the inclusion threshold (at least 200,000 HBOT)."
    assert delta.final_share == Decimal("0.820793")  # 60,000 / 7,310,000
    assert [c.choice.label for c in result.choices] == [
        "Alpha",
        "Bravo",
        "Charlie",
        "Delta",
        "Echo",
    ]


def test_finalize_credits_pots_summing_to_the_pool(finalized):
    poll, _ = finalized

    # the top 4 included (only three passed) share 1,000,000 by votes: 4 : 2.25 : 1
    credits = {c.label: c.amount_hbot for c in PotCredit.objects.filter(poll=poll)}
    total = Fraction(7_250_000)
    exact = {"Alpha": 4_000_000, "Bravo": 2_250_000, "Charlie": 1_000_000}
    assert credits == {"Alpha": 551_724, "Bravo": 310_345, "Charlie": 137_931}
    assert all(abs(credits[k] - 1_000_000 * v / total) < 1 for k, v in exact.items())
    assert sum(credits.values()) == 1_000_000
    for credit in PotCredit.objects.filter(poll=poll).select_related("choice", "exchange"):
        assert credit.exchange.name == credit.label == credit.choice.label
        assert credit.choice.allocation_hbot == credit.amount_hbot


def test_finalize_records_pending_removals_of_the_failing_exchanges_connectors(finalized, registry):
    poll, _ = finalized

    decisions = InclusionDecision.objects.filter(poll=poll)
    # Delta's CLOB CEX connectors (spot and perp) and Echo's; not Delta's AMM or removed one
    connectors = registry["connectors"]
    assert set(decisions.values_list("connector", flat=True)) == {
        connectors["Delta"].pk,
        connectors["delta_perpetual"].pk,
        connectors["Echo"].pk,
    }
    assert all(d.action == InclusionAction.REMOVE for d in decisions)
    assert all(d.status == DecisionStatus.PENDING for d in decisions)
    assert all(d.reason.startswith("HGP-T1: ") for d in decisions)
    # nothing is removed until staff confirm at the next release
    connectors["Delta"].refresh_from_db()
    assert connectors["Delta"].status == InclusionStatus.IN_CODEBASE


def test_finalize_twice_is_refused_and_writes_nothing_more(finalized):
    poll, _ = finalized

    with pytest.raises(PollStateError, match="only a closed poll"):
        poll_finalize(poll=poll)

    assert PotCredit.objects.filter(poll=poll).count() == 3
    assert InclusionDecision.objects.filter(poll=poll).count() == 3


def test_an_active_poll_cannot_be_finalized(open_poll):
    with pytest.raises(PollStateError):
        poll_finalize(poll=open_poll)
    assert not PotCredit.objects.exists()


def test_connector_level_poll_removes_only_the_failing_connector(
    chain_settings, registry, holders, vote
):
    # given an Epoch 10-style perpetual poll (one choice per connector)
    rules = GovernanceRulesFactory(poll_kinds=[PollKind.CLOB_PERP])
    epoch = EpochFactory(rules=rules)
    ConnectorFactory(
        exchange=registry["exchanges"]["Alpha"],
        connector_id="alpha_perpetual",
        sub_type=SubType.PERPETUAL,
    )
    poll = poll_open(poll=poll_create(epoch=epoch, kind=PollKind.CLOB_PERP))
    assert labels(poll) == ["Alpha Perpetual", "Delta Perpetual"]

    # when only Alpha Perpetual gets votes
    vote(poll, holders["alice"], [(1, 1)])
    poll_finalize(poll=close_now(poll))

    # then only the Delta perpetual connector is up for removal, not Delta's spot connector
    assert list(
        InclusionDecision.objects.filter(poll=poll).values_list(
            "connector__connector_id", flat=True
        )
    ) == ["delta_perpetual"]


def test_finalize_without_votes_credits_nothing_and_everyone_fails(open_poll):
    poll = close_now(open_poll)

    result = poll_finalize(poll=poll)

    assert result.voter_count == 0
    assert all(not c.passed for c in result.choices)
    assert not PotCredit.objects.exists()
    assert Poll.objects.get(pk=poll.pk).total_power == 0


def test_twenty_choice_rule_removes_the_two_lowest_even_above_the_threshold(
    chain_settings, holders, vote
):
    # given Epoch 12's extra rule, no threshold here, and a poll with 20 choices
    rules = GovernanceRulesFactory(
        inclusion_threshold_hbot=0,
        choice_limit_removals={"20": 2, "19": 1},
        allocation_rule="pro_rata_included",
        top_n=None,
        cap_per_choice_hbot=None,
    )
    poll = poll_create(
        epoch=EpochFactory(rules=rules),
        kind=PollKind.CEX,
        choices=specs(*(f"Exchange {i:02d}" for i in range(1, 21))),
    )
    poll = poll_open(poll=poll)
    # alice weighs all twenty, choice i with weight 21 - i: every choice gets votes
    vote(poll, holders["alice"], [(i, 21 - i) for i in range(1, 21)])

    result = poll_finalize(poll=close_now(poll))

    failing = {c.choice.label: c.failure_reason for c in result.choices if not c.passed}
    assert set(failing) == {"Exchange 19", "Exchange 20"}
    assert all("2 lowest-ranked of 20" in reason for reason in failing.values())
    assert sum(PotCredit.objects.filter(poll=poll).values_list("amount_hbot", flat=True)) == (
        1_000_000
    )
    assert not PotCredit.objects.filter(poll=poll, label__in=failing).exists()


def test_nineteen_choices_lose_only_the_lowest(chain_settings, holders, vote):
    rules = GovernanceRulesFactory(
        inclusion_threshold_hbot=0, choice_limit_removals={"20": 2, "19": 1}
    )
    poll = poll_create(
        epoch=EpochFactory(rules=rules),
        kind=PollKind.CEX,
        choices=specs(*(f"Exchange {i:02d}" for i in range(1, 20))),
    )
    poll = poll_open(poll=poll)
    vote(poll, holders["alice"], [(i, 20 - i) for i in range(1, 20)])

    result = recounted(poll)

    assert [c.choice.label for c in result.choices if not c.passed] == ["Exchange 19"]


@pytest.mark.parametrize(("inclusive", "passes"), [(True, True), (False, False)])
def test_a_choice_with_exactly_the_threshold_passes_only_when_inclusive(
    chain_settings, holders, vote, inclusive, passes
):
    # given a 1,000,000 HBOT threshold and carol's 1,000,000 on choice 1
    rules = GovernanceRulesFactory(
        inclusion_threshold_hbot=1_000_000, threshold_inclusive=inclusive
    )
    poll = poll_create(epoch=EpochFactory(rules=rules), kind=PollKind.CEX, choices=specs("A", "B"))
    poll = poll_open(poll=poll)
    vote(poll, holders["carol"], [(1, 1)])

    result = recounted(poll)

    assert result.choices[0].choice.label == "A"
    assert result.choices[0].passed is passes


def test_fixed_tier_poll_names_the_tiers(chain_settings, holders, vote):
    rules = GovernanceRulesFactory(
        allocation_rule="fixed_tiers",
        tier_amounts_hbot=[400_000, 100_000],
        tier_names=["gold", "silver"],
        tier_name_rest="bronze",
        top_n=None,
        cap_per_choice_hbot=None,
        pool_per_poll_hbot=0,
    )
    poll = poll_create(
        epoch=EpochFactory(rules=rules), kind=PollKind.CEX, choices=specs("A", "B", "C", "D")
    )
    poll = poll_open(poll=poll)
    for name, position in (("alice", 1), ("bob", 2), ("carol", 3)):
        vote(poll, holders[name], [(position, 1)])

    poll_finalize(poll=close_now(poll))

    frozen = {c.label: (c.tier, c.allocation_hbot) for c in poll.choices.all()}
    assert frozen == {
        "A": ("gold", 400_000),
        "B": ("silver", 100_000),
        "C": ("bronze", 0),
        "D": ("", 0),
    }


# --- polls_advance -------------------------------------------------------------------


def test_advance_opens_due_drafts_only(chain_settings, epoch):
    now = timezone.now()
    due = poll_create(epoch=epoch, kind=PollKind.CEX, choices=specs("A", "B"), starts_at=now)
    later = poll_create(
        epoch=epoch, kind=PollKind.DEX, choices=specs("A", "B"), starts_at=now + timedelta(hours=1)
    )
    unscheduled = poll_create(
        epoch=epoch, kind=PollKind.CEX, title="Manual", choices=specs("A", "B")
    )

    report = polls_advance(now=now)

    assert report.opened == [due.pk]
    assert Poll.objects.get(pk=due.pk).status == PollStatus.ACTIVE
    assert Poll.objects.get(pk=later.pk).status == PollStatus.DRAFT
    assert Poll.objects.get(pk=unscheduled.pk).status == PollStatus.DRAFT


def test_advance_closes_ended_polls_then_finalizes_after_the_audit_window(
    settings, open_poll, holders, vote
):
    settings.POLL_FINALIZE_AFTER_HOURS = 24
    vote(open_poll, holders["alice"], [(1, 1)])
    end = open_poll.ends_at

    # before the end nothing happens
    assert polls_advance(now=end - timedelta(seconds=1)).closed == []
    # at the end it closes
    assert polls_advance(now=end).closed == [open_poll.pk]
    # within the audit window it stays closed
    report = polls_advance(now=end + timedelta(hours=23, minutes=59))
    assert report.finalized == []
    assert Poll.objects.get(pk=open_poll.pk).status == PollStatus.CLOSED
    # after it, it is finalized, once
    assert polls_advance(now=end + timedelta(hours=24)).finalized == [open_poll.pk]
    assert Poll.objects.get(pk=open_poll.pk).status == PollStatus.FINALIZED
    assert polls_advance(now=end + timedelta(days=3)).finalized == []
    assert PotCredit.objects.filter(poll=open_poll).count() == 1


def test_one_poll_failing_to_open_does_not_stop_the_others(chain_settings, epoch):
    now = timezone.now()
    broken = poll_create(epoch=epoch, kind=PollKind.CEX, choices=specs("A", "B"), starts_at=now)
    broken.choices.filter(position=2).delete()
    fine = poll_create(epoch=epoch, kind=PollKind.DEX, choices=specs("A", "B"), starts_at=now)

    report = polls_advance(now=now)

    assert report.opened == [fine.pk]
    assert "at least two choices" in report.failed[broken.pk]
    assert Poll.objects.get(pk=broken.pk).status == PollStatus.DRAFT


def test_advance_with_the_chain_down_reports_and_keeps_drafts(settings, epoch):
    settings.ETH_RPC_URL = closed_port_url()
    now = timezone.now()
    poll = poll_create(epoch=epoch, kind=PollKind.CEX, choices=specs("A", "B"), starts_at=now)

    report = polls_advance(now=now)

    assert report.opened == []
    assert poll.pk in report.failed
    assert Poll.objects.get(pk=poll.pk).status == PollStatus.DRAFT


def recounted(poll):  # type: ignore[no-untyped-def]
    """The poll's result from a recount of its signed votes (not its running totals)."""
    return poll_result_compute(poll=poll, totals=poll_totals_recount(poll=poll))
