"""Reading poll results for the pages: live tallies, frozen and published figures, the bar
scale and threshold line, proposal quorum and approval, and results history."""

from __future__ import annotations

from decimal import Decimal

import pytest

from governance import selectors
from governance.chain.devchain import HBOT
from governance.models import PollKind, PollStatus, VotingMethod
from governance.services.polls import poll_close, poll_finalize
from governance.services.votes import vote_cast
from tests.governance.factories import ChoiceFactory, EpochFactory, PollFactory

pytestmark = pytest.mark.django_db


def cast(poll, signed_vote, holder, choices):
    typed_data, signature = signed_vote(poll=poll, key=holder.private_key, choices=choices)
    return vote_cast(typed_data=typed_data, signature=signature, poll_id=poll.pk)


def test_live_result_ranks_choices_by_the_counted_votes(open_poll, signed_vote, chain_info):
    # given alice (4M HBOT) all on Kraken and carol (1M) split 1:1 on Binance and OKX
    alice, carol = chain_info.holders[0], chain_info.holders[2]
    cast(open_poll, signed_vote, alice, [(3, 1)])
    cast(open_poll, signed_vote, carol, [(1, 1), (2, 1)])

    # when the page reads the result
    results = selectors.poll_results(poll=selectors.poll_get(pk=open_poll.pk))

    # then it is live, ranked (a tie in choice order), with exact shares and the threshold
    assert results.source == "live"
    assert [(r.choice.label, r.rank) for r in results.rows[:3]] == [
        ("Kraken", 1),
        ("Binance", 2),
        ("OKX", 3),
    ]
    assert results.rows[0].score_hbot == Decimal(4_000_000)
    assert results.rows[0].share == Decimal(80)
    assert results.voter_count == 2
    assert results.total_power_hbot == Decimal(5_000_000)
    assert results.threshold_hbot == 200_000
    # and the largest score spans the bar; the threshold line sits at 200K / 4M
    assert results.rows[0].bar_percent == 100.0
    assert results.rows[1].bar_percent == 12.5
    assert results.threshold_percent == 5.0
    # and choices below the threshold fail (Coinbase got nothing)
    assert [r.passed for r in results.rows] == [True, True, True, False]


def test_threshold_line_stays_on_the_chart_when_every_score_is_below_it(
    open_poll, signed_vote, chain_info
):
    # given only heidi voting, with 60,000 HBOT against a 200,000 threshold
    cast(open_poll, signed_vote, chain_info.holders[7], [(1, 1)])

    results = selectors.poll_results(poll=selectors.poll_get(pk=open_poll.pk))

    # then the scale reaches the threshold: the line at the right end, her bar at 30%
    assert results.threshold_percent == 100.0
    assert results.rows[0].bar_percent == 30.0
    assert results.rows[0].passed is False


def test_finalized_poll_shows_the_frozen_tally(open_poll, signed_vote, chain_info):
    # given a poll finalized after alice voted
    cast(open_poll, signed_vote, chain_info.holders[0], [(2, 1)])
    poll_close(poll=open_poll, now=open_poll.ends_at)
    poll_finalize(poll=open_poll)

    results = selectors.poll_results(poll=selectors.poll_get(pk=open_poll.pk))

    # then the frozen figures are shown, with the top four's pro-rata allocation
    assert results.source == "final"
    top = results.rows[0]
    assert (top.choice.label, top.rank, top.passed) == ("OKX", 1, True)
    assert top.score_hbot == Decimal(4_000_000)
    assert top.allocation_hbot == 800_000  # capped at 800K
    assert results.voter_count == 1
    assert results.total_power_hbot == Decimal(4_000_000)


def test_archived_poll_shows_the_published_figures():
    # given an archived result with published votes, shares, tiers and allocations
    poll = PollFactory(archived=True, kind=PollKind.CEX)
    poll.rules_snapshot = {"inclusion_threshold_hbot": 200_000}
    poll.save()
    ChoiceFactory(
        poll=poll,
        position=1,
        label="Binance",
        final_score=Decimal(1_000_000),
        final_share=Decimal("60.5"),
        final_rank=1,
        passed=True,
        tier="gold",
        allocation_hbot=400_000,
        votes_display="1m",
    )
    ChoiceFactory(
        poll=poll,
        position=2,
        label="Foxbit",
        final_rank=None,
        passed=False,
        failure_reason="Below the inclusion threshold (as published).",
    )

    results = selectors.poll_results(poll=selectors.poll_get(pk=poll.pk))

    assert results.source == "published"
    first, second = results.rows
    assert (first.votes_display, first.tier, first.allocation_hbot) == ("1m", "gold", 400_000)
    assert first.bar_percent == 100.0
    # and an unpublished score has no bar and needs no note: the line explains it
    assert second.score_hbot is None
    assert second.bar_percent == 0.0
    assert second.failure_note == ""
    assert results.winners == [first]
    assert results.failures == [second]


def test_a_failure_above_the_threshold_is_explained_beside_its_bar():
    # given Epoch 12's rule: the lowest-ranked choice of a full poll is removed
    poll = PollFactory(archived=True)
    poll.rules_snapshot = {"inclusion_threshold_hbot": 100}
    poll.save()
    ChoiceFactory(
        poll=poll, position=1, label="A", final_score=Decimal(500), final_rank=1, passed=True
    )
    ChoiceFactory(
        poll=poll,
        position=2,
        label="B",
        final_score=Decimal(300),
        final_rank=2,
        passed=False,
        failure_reason="Among the 1 lowest-ranked of 2 choices.",
    )

    row = selectors.poll_results(poll=selectors.poll_get(pk=poll.pk)).rows[1]

    assert row.failure_note == "Among the 1 lowest-ranked of 2 choices."


def test_draft_poll_lists_its_choices_without_figures(draft_poll):
    results = selectors.poll_results(poll=selectors.poll_get(pk=draft_poll.pk))

    assert results.source == "none"
    assert [r.choice.label for r in results.rows] == ["Binance", "OKX", "Kraken", "Coinbase"]
    assert all(r.score_hbot is None and r.bar_percent == 0 for r in results.rows)
    assert results.threshold_percent is None


def test_proposal_vote_reports_quorum_and_approval():
    # given a finalized proposal vote: For 3M, Against 1M, Abstain 0.5M; quorum 5M
    poll = PollFactory(
        kind=PollKind.PROPOSAL,
        voting_method=VotingMethod.BASIC,
        status=PollStatus.FINALIZED,
        archived=True,
    )
    poll.rules_snapshot = {"quorum_hbot": 5_000_000, "approval_percent": "50"}
    poll.save()
    for position, (label, score) in enumerate(
        [("For", 3_000_000), ("Against", 1_000_000), ("Abstain", 500_000)], start=1
    ):
        ChoiceFactory(
            poll=poll,
            position=position,
            label=label,
            final_score=Decimal(score),
            final_share=Decimal(score) / Decimal(45_000),
            final_rank=position,
        )

    tally = selectors.poll_results(poll=selectors.poll_get(pk=poll.pk)).proposal

    assert tally is not None
    assert tally.turnout_hbot == Decimal(4_500_000)
    assert tally.quorum_progress == 90.0
    assert tally.quorum_reached is False
    assert tally.for_percent == Decimal(75)
    assert tally.approved is True
    assert tally.passing is False


def test_results_history_filters_by_kind_and_epoch():
    # given finalized polls in two epochs and a poll still open
    old, new = EpochFactory(number=3), EpochFactory(number=4)
    cex_old = PollFactory(epoch=old, kind=PollKind.CEX, archived=True)
    dex_new = PollFactory(epoch=new, kind=PollKind.DEX, archived=True)
    cex_new = PollFactory(epoch=new, kind=PollKind.CEX, archived=True)
    PollFactory(epoch=new, kind=PollKind.CEX)

    assert selectors.results_history() == [cex_new, dex_new, cex_old]
    assert selectors.results_history(kind=PollKind.CEX) == [cex_new, cex_old]
    assert selectors.results_history(epoch=3) == [cex_old]
    options = selectors.results_filter_options()
    assert options.epochs == [4, 3]
    assert [k for k, _ in options.kinds] == [PollKind.CEX, PollKind.DEX]


def test_poll_sections_put_open_polls_first(open_poll):
    finished = PollFactory(archived=True)
    later = PollFactory()

    sections = selectors.poll_sections()

    assert sections.active == [open_poll]
    assert sections.upcoming == [later]
    assert sections.recent == [finished]


def test_snapshot_balance_explains_an_unreachable_chain(open_poll, chain_info, settings):
    settings.ETH_RPC_URL = "http://127.0.0.1:9"

    balance, error = selectors.snapshot_balance(
        poll=open_poll, address=chain_info.holders[0].address
    )

    assert balance is None
    assert "could not be reached" in error


def test_snapshot_balance_is_read_at_the_polls_block(open_poll, chain_info):
    balance, error = selectors.snapshot_balance(
        poll=open_poll, address=chain_info.holders[1].address
    )

    assert (balance, error) == (2_250_000 * HBOT, "")
