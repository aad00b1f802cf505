"""Weighted, quadratic and basic scoring by Snapshot's formulas (docs/DOMAIN.md §7), exactly."""

from __future__ import annotations

import itertools
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from governance.tally import (
    ROOT_SCALE,
    Ballot,
    InvalidBallot,
    Totals,
    ballot_parts,
    passes_threshold,
    scores,
    tally,
    totals_of,
)

# Exact arithmetic on big numbers: an example's time varies on a busy machine.
no_deadline = hypothesis_settings(deadline=None)

POSITIONS = [1, 2, 3]
HBOT = 10**18


def scores_of(results: list) -> dict[int, Fraction]:
    return {s.position: s.score for s in results}


weights_strategy = st.dictionaries(
    st.sampled_from(range(1, 8)),
    st.integers(min_value=0, max_value=2**32 - 1),
    min_size=1,
    max_size=7,
).filter(lambda weights: any(weights.values()))

ballots_strategy = st.lists(
    st.builds(
        Ballot,
        power=st.integers(min_value=1, max_value=10**27),  # up to a billion HBOT in base units
        weights=weights_strategy,
    ),
    min_size=1,
    max_size=12,
)


def reference_weighted(ballots: list[Ballot], positions: list[int]) -> dict[int, Fraction]:
    """Snapshot's weighted formula written out independently, in exact rationals."""
    out = dict.fromkeys(positions, Fraction(0))
    for ballot in ballots:
        total_weight = sum(ballot.weights.values())
        for position, weight in ballot.weights.items():
            out[position] += Fraction(ballot.power) * weight / total_weight
    return out


def reference_quadratic(ballots: list[Ballot], positions: list[int]) -> dict[int, Decimal]:
    """Snapshot's quadratic formula with 120-digit square roots, independently."""
    with localcontext() as ctx:
        ctx.prec = 120
        roots = dict.fromkeys(positions, Decimal(0))
        total_power = Decimal(sum(b.power for b in ballots))
        for ballot in ballots:
            total_weight = Decimal(sum(ballot.weights.values()))
            for position, weight in ballot.weights.items():
                roots[position] += (Decimal(ballot.power) * weight / total_weight).sqrt()
        squares = {p: r * r for p, r in roots.items()}
        square_sum = sum(squares.values(), Decimal(0))
        return {
            p: (sq / square_sum * total_power if square_sum else Decimal(0))
            for p, sq in squares.items()
        }


# --- weighted ------------------------------------------------------------------------


def test_weighted_splits_each_voters_power_by_their_weights():
    # given alice (100) weighting choices 1 and 2 as 1:3, bob (50) all on choice 2
    ballots = [Ballot(power=100, weights={1: 1, 2: 3}), Ballot(power=50, weights={2: 7})]

    # when tallied by weight
    results = tally(method="weighted", ballots=ballots, positions=POSITIONS)

    # then choice 1 gets 100·1/4 = 25, choice 2 gets 100·3/4 + 50 = 125, choice 3 nothing
    assert scores_of(results) == {1: 25, 2: 125, 3: 0}
    assert [(s.position, s.rank) for s in results] == [(2, 1), (1, 2), (3, 3)]
    shares = {s.position: s.share for s in results}
    assert shares[2] == Fraction(250, 3)  # 125/150 of 100%, exactly
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
    assert scores_of(results) == {1: 60, 2: 40, 3: 40}
    # a tie (2 and 3 both 40) is ranked by position
    assert [s.position for s in results] == [1, 2, 3]


def test_thirds_that_add_up_to_a_whole_are_exactly_equal_to_it():
    # given three voters each giving a third of 400,000 HBOT to choice 1
    ballots = [Ballot(power=400_000 * HBOT, weights={1: 1, 2: 2}) for _ in range(3)]

    results = tally(method="weighted", ballots=ballots, positions=[1, 2])

    # then choice 1 has exactly 400,000 HBOT: an inclusive 400,000 threshold passes it
    assert scores_of(results)[1] == 400_000 * HBOT
    assert passes_threshold(
        scores_of(results)[1], threshold_base_units=400_000 * HBOT, inclusive=True
    )
    assert not passes_threshold(
        scores_of(results)[1], threshold_base_units=400_000 * HBOT, inclusive=False
    )


def test_an_exact_tie_of_non_terminating_splits_falls_to_listed_order():
    # given choice 3 and choice 2 reaching 1/3 + 1/3 and 2/3 by different roads
    ballots = [
        Ballot(power=1, weights={3: 1, 1: 2}),  # 3 gets 1/3
        Ballot(power=1, weights={3: 1, 1: 2}),  # 3 gets 1/3
        Ballot(power=1, weights={2: 2, 1: 1}),  # 2 gets 2/3
    ]

    results = tally(method="weighted", ballots=ballots, positions=[1, 2, 3])

    # then 2 and 3 are exactly tied and the earlier-listed choice 2 ranks first
    assert scores_of(results)[2] == scores_of(results)[3] == Fraction(2, 3)
    assert [s.position for s in results] == [1, 2, 3]


@no_deadline
@given(ballots=ballots_strategy)
def test_weighted_scores_equal_an_independent_exact_reference(ballots):
    positions = list(range(1, 8))
    results = tally(method="weighted", ballots=ballots, positions=positions)

    expected = reference_weighted(ballots, positions)
    assert scores_of(results) == expected
    assert sum(s.score for s in results) == sum(b.power for b in ballots)
    assert sum(s.share for s in results) == 100
    # ranks: highest exact score first, exact ties by listed order
    assert [s.position for s in results] == sorted(positions, key=lambda p: (-expected[p], p))


@no_deadline
@given(
    ballots=ballots_strategy,
    threshold=st.integers(min_value=1, max_value=10**27),
    inclusive=st.booleans(),
)
def test_threshold_decisions_equal_the_exact_reference(ballots, threshold, inclusive):
    results = tally(method="weighted", ballots=ballots, positions=list(range(1, 8)))
    expected = reference_weighted(ballots, list(range(1, 8)))

    for s in results:
        want = expected[s.position] >= threshold if inclusive else expected[s.position] > threshold
        assert (
            passes_threshold(s.score, threshold_base_units=threshold, inclusive=inclusive) is want
        )


# --- quadratic -----------------------------------------------------------------------


def test_quadratic_squares_the_sum_of_roots_then_scales_to_total_power():
    # given alice (18) split evenly over 1 and 2, bob (1) on 2
    ballots = [Ballot(power=18, weights={1: 1, 2: 1}), Ballot(power=1, weights={2: 1})]

    # when tallied quadratically
    results = tally(method="quadratic", ballots=ballots, positions=POSITIONS)

    # then raw_1 = (√9)² = 9, raw_2 = (√9 + √1)² = 16; scaled to the total power 19:
    # 9/25·19 = 6.84 and 16/25·19 = 12.16 (perfect squares: the roots are exact)
    assert scores_of(results) == {1: Fraction("6.84"), 2: Fraction("12.16"), 3: 0}
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
    assert weighted == {1: 100, 2: 100}
    assert quadratic == {1: 40, 2: 160}


def test_a_quadratic_part_is_the_root_floored_to_the_fixed_point():
    # √(2/3) = 0.8164965809277260327324280249019637973219824935522233761442308557...
    parts = ballot_parts(method="quadratic", ballot=Ballot(power=1, weights={1: 1, 2: 2}))

    assert parts[2] == 816496580927726032732428024901  # 30 digits, floored
    assert parts[1] == 577350269189625764509148780501  # √(1/3), floored
    assert all(part.denominator == 1 for part in parts.values())


@no_deadline
@given(ballots=ballots_strategy)
def test_quadratic_scores_sum_to_the_total_power_and_match_the_reference(ballots):
    positions = list(range(1, 8))
    results = tally(method="quadratic", ballots=ballots, positions=positions)

    power = sum(b.power for b in ballots)
    assert sum(s.score for s in results) == power  # exact: the scaling is rational
    reference = reference_quadratic(ballots, positions)
    for s in results:
        # floored roots are off by < 1/ROOT_SCALE each: far below one base unit
        assert abs(Decimal(s.score.numerator) / s.score.denominator - reference[s.position]) < 1


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

    assert scores_of(results) == {1: 75, 2: 20, 3: 3}


# --- running totals ------------------------------------------------------------------


@no_deadline
@given(
    ballots=ballots_strategy,
    method=st.sampled_from(["weighted", "quadratic"]),
    rnd=st.randoms(use_true_random=False),
)
def test_running_totals_with_removals_equal_a_recount_of_what_is_left(ballots, method, rnd):
    # given every ballot added, then a random half removed again, in a random order
    running = Totals(method=method)
    for ballot in ballots:
        running.add(ballot)
    removed = rnd.sample(range(len(ballots)), k=len(ballots) // 2)
    for index in removed:
        running.remove(ballots[index])

    # then the totals equal a recount of the remaining ballots, exactly
    kept = [b for i, b in enumerate(ballots) if i not in removed]
    assert running == totals_of(method=method, ballots=kept)
    # and they survive storage as text
    assert Totals.from_json(method=method, data=running.as_json()) == running


def test_totals_of_no_ballots_store_nothing():
    totals = totals_of(method="weighted", ballots=[])

    assert totals.as_json() == {"voter_count": 0, "total_power": "0", "sums": {}}


def test_quadratic_parts_are_integers_in_root_units():
    parts = ballot_parts(method="quadratic", ballot=Ballot(power=4, weights={1: 1}))

    assert parts == {1: 2 * ROOT_SCALE}


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
def test_ballots_without_power_are_not_counted(method):
    results = tally(method=method, ballots=[Ballot(power=0, weights={1: 1})], positions=POSITIONS)

    assert all(s.score == 0 for s in results)


@pytest.mark.parametrize("method", ["weighted", "quadratic", "basic"])
@pytest.mark.parametrize("weights", [{1: 0, 2: 0}, {}], ids=["all-zero", "empty"])
def test_a_ballot_without_a_positive_weight_is_invalid(method, weights):
    with pytest.raises(InvalidBallot, match="weight above 0"):
        tally(method=method, ballots=[Ballot(power=10, weights=weights)], positions=POSITIONS)


def test_a_negative_weight_is_invalid():
    with pytest.raises(InvalidBallot, match="negative"):
        tally(method="weighted", ballots=[Ballot(power=1, weights={1: -1, 2: 3})], positions=[1, 2])


def test_zero_weights_beside_a_positive_one_count_for_nothing():
    results = tally(
        method="weighted", ballots=[Ballot(power=10, weights={1: 0, 2: 5})], positions=[1, 2]
    )

    assert scores_of(results) == {1: 0, 2: 10}


def test_a_ballot_naming_a_choice_the_poll_lacks_is_an_error():
    with pytest.raises(InvalidBallot, match="choice 9"):
        tally(method="weighted", ballots=[Ballot(power=1, weights={9: 1})], positions=POSITIONS)


def test_an_unknown_method_is_an_error():
    with pytest.raises(ValueError, match="unknown voting method"):
        scores(
            totals=totals_of(method="ranked", ballots=[Ballot(power=1, weights={1: 1})]),
            positions=[1],
        )


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
    # the same ballots in another order give exactly the same result
    assert again == results


@pytest.mark.parametrize(
    ("score", "inclusive", "passes"),
    [(200, True, True), (200, False, False), (201, False, True), (199, True, False)],
)
def test_threshold_is_at_least_or_more_than(score, inclusive, passes):
    assert (
        passes_threshold(Fraction(score), threshold_base_units=200, inclusive=inclusive) is passes
    )
