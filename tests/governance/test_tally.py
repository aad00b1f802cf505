"""Weighted, quadratic and basic scoring by Snapshot's formulas (DOMAIN.md §7)."""

from __future__ import annotations

import itertools
from decimal import Decimal, localcontext

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from governance.tally import PRECISION, Ballot, passes_threshold, tally

# Exact arithmetic on big numbers: an example's time varies on a busy machine.
no_deadline = hypothesis_settings(deadline=None)

POSITIONS = [1, 2, 3]
# Decimal arithmetic runs at 80 significant digits; sums of rounded parts may differ from
# the exact total in the last few of them.
RELATIVE_TOLERANCE = Decimal("1e-70")


def scores_of(results: list) -> dict[int, Decimal]:
    return {s.position: s.score for s in results}


ballots_strategy = st.lists(
    st.builds(
        Ballot,
        power=st.integers(min_value=1, max_value=10**27),  # up to a billion HBOT in base units
        weights=st.dictionaries(
            st.sampled_from(range(1, 8)),
            st.integers(min_value=1, max_value=2**32 - 1),
            min_size=1,
            max_size=7,
        ),
    ),
    min_size=1,
    max_size=12,
)


def close(a: Decimal, b: Decimal) -> bool:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return abs(a - b) <= abs(b) * RELATIVE_TOLERANCE


def total(values: object) -> Decimal:
    """A sum at the tally's precision (the default context keeps only 28 digits)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return sum(values, Decimal(0))  # type: ignore[call-overload]


# --- weighted ------------------------------------------------------------------------


def test_weighted_splits_each_voters_power_by_their_weights():
    # given alice (100) weighting choices 1 and 2 as 1:3, bob (50) all on choice 2
    ballots = [Ballot(power=100, weights={1: 1, 2: 3}), Ballot(power=50, weights={2: 7})]

    # when tallied by weight
    results = tally(method="weighted", ballots=ballots, positions=POSITIONS)

    # then choice 1 gets 100·1/4 = 25, choice 2 gets 100·3/4 + 50 = 125, choice 3 nothing
    assert scores_of(results) == {1: Decimal(25), 2: Decimal(125), 3: Decimal(0)}
    assert [(s.position, s.rank) for s in results] == [(2, 1), (1, 2), (3, 3)]
    shares = {s.position: s.share for s in results}
    assert str(shares[2]).startswith("83." + "3" * 70)  # 125/150 of 100%
    assert shares[3] == 0


def test_weighted_with_three_voters_matches_hand_computation():
    # given three voters splitting unevenly
    ballots = [
        Ballot(power=90, weights={1: 1, 2: 1, 3: 1}),  # 30 / 30 / 30
        Ballot(power=40, weights={1: 3, 3: 1}),  # 30 / 0 / 10
        Ballot(power=10, weights={2: 5}),  # 0 / 10 / 0
    ]

    # when tallied
    results = tally(method="weighted", ballots=ballots, positions=POSITIONS)

    # then the scores are the sums by hand, and the ranks follow
    assert scores_of(results) == {1: Decimal(60), 2: Decimal(40), 3: Decimal(40)}
    # a tie (2 and 3 both 40) is ranked by position
    assert [s.position for s in results] == [1, 2, 3]


@no_deadline
@given(ballots=ballots_strategy)
def test_weighted_scores_sum_to_the_total_power(ballots):
    results = tally(method="weighted", ballots=ballots, positions=list(range(1, 8)))

    power = Decimal(sum(b.power for b in ballots))
    assert close(total(s.score for s in results), power)
    assert close(total(s.share for s in results), Decimal(100))


# --- quadratic -----------------------------------------------------------------------


def test_quadratic_squares_the_sum_of_roots_then_scales_to_total_power():
    # given alice (18) split evenly over 1 and 2, bob (1) on 2
    ballots = [Ballot(power=18, weights={1: 1, 2: 1}), Ballot(power=1, weights={2: 1})]

    # when tallied quadratically
    results = tally(method="quadratic", ballots=ballots, positions=POSITIONS)

    # then raw_1 = (√9)² = 9, raw_2 = (√9 + √1)² = 16; scaled to the total power 19:
    # 9/25·19 = 6.84 and 16/25·19 = 12.16
    assert scores_of(results) == {1: Decimal("6.84"), 2: Decimal("12.16"), 3: Decimal(0)}
    assert results[0].position == 2


def test_quadratic_favours_many_small_voters_over_one_large():
    # given one whale (100) on choice 1 and four voters (25 each) on choice 2
    ballots = [Ballot(power=100, weights={1: 1})] + [
        Ballot(power=25, weights={2: 1}) for _ in range(4)
    ]

    # when tallied both ways
    weighted = scores_of(tally(method="weighted", ballots=ballots, positions=[1, 2]))
    quadratic = scores_of(tally(method="quadratic", ballots=ballots, positions=[1, 2]))

    # then weighted ties them, while quadratic gives raw 100 against (4·5)² = 400:
    # 100/500·200 = 40 and 400/500·200 = 160
    assert weighted == {1: Decimal(100), 2: Decimal(100)}
    assert quadratic == {1: Decimal(40), 2: Decimal(160)}


@no_deadline
@given(ballots=ballots_strategy)
def test_quadratic_scores_sum_to_the_total_power(ballots):
    results = tally(method="quadratic", ballots=ballots, positions=list(range(1, 8)))

    power = Decimal(sum(b.power for b in ballots))
    assert close(total(s.score for s in results), power)


# --- basic ---------------------------------------------------------------------------


def test_basic_gives_each_voters_whole_power_to_their_one_choice():
    # given For 70 + 5, Against 20, Abstain 3
    ballots = [
        Ballot(power=70, weights={1: 1}),
        Ballot(power=5, weights={1: 1}),
        Ballot(power=20, weights={2: 1}),
        Ballot(power=3, weights={3: 1}),
    ]

    results = tally(method="basic", ballots=ballots, positions=POSITIONS)

    assert scores_of(results) == {1: Decimal(75), 2: Decimal(20), 3: Decimal(3)}


# --- shared behaviour ----------------------------------------------------------------


@pytest.mark.parametrize("method", ["weighted", "quadratic", "basic"])
def test_without_ballots_every_choice_scores_zero_with_zero_share(method):
    results = tally(method=method, ballots=[], positions=POSITIONS)

    assert [(s.position, s.score, s.share, s.rank) for s in results] == [
        (1, 0, 0, 1),
        (2, 0, 0, 2),
        (3, 0, 0, 3),
    ]


@pytest.mark.parametrize("method", ["weighted", "quadratic"])
def test_ballots_without_power_or_weights_are_not_counted(method):
    ballots = [Ballot(power=0, weights={1: 1}), Ballot(power=10, weights={})]

    results = tally(method=method, ballots=ballots, positions=POSITIONS)

    assert all(s.score == 0 for s in results)


def test_a_ballot_naming_a_choice_the_poll_lacks_is_an_error():
    with pytest.raises(ValueError, match="choice 9"):
        tally(method="weighted", ballots=[Ballot(power=1, weights={9: 1})], positions=POSITIONS)


@no_deadline
@given(
    ballots=ballots_strategy,
    method=st.sampled_from(["weighted", "quadratic"]),
    rnd=st.randoms(use_true_random=False),
)
def test_ranks_follow_scores_and_the_order_of_ballots_does_not_matter(ballots, method, rnd):
    positions = list(range(1, 8))
    results = tally(method=method, ballots=ballots, positions=positions)
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    again = tally(method=method, ballots=shuffled, positions=positions)

    # ranks are 1..n, scores never rise down the ranking, ties go to the lower position
    assert [s.rank for s in results] == list(range(1, 8))
    for higher, lower in itertools.pairwise(results):
        assert higher.score > lower.score or (
            higher.score == lower.score and higher.position < lower.position
        )
    # the same ballots in another order give the same scores (up to the last of 80 digits)
    by_position = {s.position: s.score for s in again}
    assert all(close(by_position[s.position], s.score) for s in results)


@pytest.mark.parametrize(
    ("score", "inclusive", "passes"),
    [(200, True, True), (200, False, False), (201, False, True), (199, True, False)],
)
def test_threshold_is_at_least_or_more_than(score, inclusive, passes):
    assert passes_threshold(Decimal(score), threshold_base_units=200, inclusive=inclusive) is passes
