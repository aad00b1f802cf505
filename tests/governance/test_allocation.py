"""How a finalized poll splits its pot in whole HBOT (docs/DOMAIN.md §3.5-3.7)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from governance.allocation import AllocationParams, allocate
from governance.tally import Ballot, tally

# Exact arithmetic on big numbers: an example's time varies on a busy machine.
no_deadline = hypothesis_settings(deadline=None)

RULES_FILE = Path(__file__).resolve().parents[2] / "governance" / "data" / "governance_rules.json"


def shipped_params(slug: str) -> AllocationParams:
    """The allocation parameters of a shipped rules version, as a poll copies them."""
    entries = json.loads(RULES_FILE.read_text())["rules"]
    return AllocationParams.from_snapshot(next(e for e in entries if e["slug"] == slug))


def ranked_of(votes: Mapping[str, Fraction | int]) -> list[tuple[str, Fraction | int]]:
    """Highest votes first; equal votes in the order the poll listed them (the keys)."""
    order = list(votes)
    return sorted(votes.items(), key=lambda kv: (-kv[1], order.index(kv[0])))


def recipients_of(votes: Mapping[str, Fraction | int], params: AllocationParams) -> list[str]:
    ranked = ranked_of(votes)
    if params.rule == "pro_rata_top_n":
        ranked = ranked[: params.top_n]
    return [key for key, v in ranked if v > 0]


# --- the published pro-rata results (HGP-50 era) ------------------------------------


def test_epoch_7_cex_split_is_reproduced_within_one_hbot():
    """Epoch 7 CEX (HGP-51) published OKX 315,126, Kraken 273,109, Coinbase 231,092 and
    Kucoin 180,672 (sum 999,999). The poll's votes were never published
    (governance/data/SOURCES.md), so the votes here are proportional to those amounts
    (x 37); a fifth included exchange with fewer votes shows the top-4 normalization."""
    published = {"OKX": 315_126, "Kraken": 273_109, "Coinbase": 231_092, "Kucoin": 180_672}
    votes = {name: amount * 37 for name, amount in published.items()}
    votes["Fifth"] = 150_000 * 37

    amounts = allocate(ranked=ranked_of(votes), params=shipped_params("hgp-50-2024"))

    assert set(amounts) == set(published)
    assert all(abs(amounts[name] - published[name]) <= 1 for name in published)
    assert sum(amounts.values()) == 1_000_000  # the documented rounding lands the last HBOT


@pytest.mark.parametrize(
    ("published", "tied"),
    [
        pytest.param(
            {"XRPL": 309_091, "Binance": 248_485, "Gate.io": 221_212, "Kucoin": 221_212},
            ("Gate.io", "Kucoin"),
            id="clob-spot",
        ),
        pytest.param(
            {
                "Kucoin Perp": 252_485,
                "Binance Perp": 250_497,
                "OKX Perp": 250_497,
                "Bybit Perp": 246_521,
            },
            ("Binance Perp", "OKX Perp"),
            id="clob-perp",
        ),
        pytest.param(
            {"Uniswap": 292_746, "Pancakeswap": 285_449, "Balancer": 210_903, "Curve": 210_903},
            ("Balancer", "Curve"),
            id="amm-published-sum-1000001",
        ),
    ],
)
def test_epoch_11_ties_give_equal_amounts_within_one_hbot(published, tied):
    """Epoch 11's published results have ties (docs/DOMAIN.md §3.6). Votes are proportional to
    the published amounts (the real votes are not in the record)."""
    votes = {name: amount * 11 for name, amount in published.items()}

    amounts = allocate(ranked=ranked_of(votes), params=shipped_params("epoch-10-2024"))

    first, second = tied
    assert abs(amounts[first] - amounts[second]) <= 1
    assert all(abs(amounts[name] - published[name]) <= 1 for name in published)
    assert sum(amounts.values()) == 1_000_000


def test_share_above_the_cap_is_capped_and_the_excess_shared_by_votes():
    # given one exchange with 90% of the top-4 votes under HGP-50 (cap 800,000)
    votes = {"A": 90, "B": 5, "C": 3, "D": 2}

    amounts = allocate(ranked=ranked_of(votes), params=shipped_params("hgp-50-2024"))

    # then A is capped and the other 200,000 is split 5:3:2
    assert amounts == {"A": 800_000, "B": 100_000, "C": 60_000, "D": 40_000}


def test_when_everyone_is_capped_the_rest_of_the_pool_stays_unallocated():
    params = AllocationParams(rule="pro_rata_top_n", pool=1_000_000, top_n=4, cap=200_000)

    amounts = allocate(ranked=ranked_of({"A": 5, "B": 4, "C": 3}), params=params)

    assert amounts == {"A": 200_000, "B": 200_000, "C": 200_000}


def test_top_n_ignores_choices_ranked_below_n_and_those_without_votes():
    params = AllocationParams(rule="pro_rata_top_n", pool=1_000, top_n=3)

    amounts = allocate(ranked=ranked_of({"A": 6, "B": 4, "C": 0, "D": 0}), params=params)

    assert amounts == {"A": 600, "B": 400}


def test_pro_rata_included_shares_the_pool_among_every_included_choice():
    # given the Epoch 12-13 rule (no top N, no cap) and five included choices
    votes = {"Binance": 111, "Kucoin": 103, "Bybit": 100, "OKX": 98, "NDAX": 6}

    amounts = allocate(ranked=ranked_of(votes), params=shipped_params("hgp-70-2025"))

    # then all five receive a share, exactly summing to the pool
    assert set(amounts) == set(votes)
    assert sum(amounts.values()) == 1_000_000
    total = sum(votes.values())
    assert all(abs(amounts[k] - Fraction(1_000_000 * v, total)) < 1 for k, v in votes.items())


def test_leftover_hbot_goes_to_the_largest_remainders_then_by_rank():
    params = AllocationParams(rule="pro_rata_included", pool=10)

    # 10/3 each: the one leftover goes to the first-ranked of the equal remainders
    assert allocate(ranked=[("A", 1), ("B", 1), ("C", 1)], params=params) == {
        "A": 4,
        "B": 3,
        "C": 3,
    }
    # 10 x (5, 3, 2)/10 = 5, 3, 2 exactly; 10 x (0.47, 0.33, 0.2) = 4.7, 3.3, 2
    assert allocate(ranked=[("A", 47), ("B", 33), ("C", 20)], params=params) == {
        "A": 5,
        "B": 3,
        "C": 2,
    }


# --- fixed tiers (Epoch 6, HGP-45) ---------------------------------------------------


def test_fixed_tiers_give_gold_then_silver_by_rank():
    votes = {"Binance": 50, "Gate.io": 40, "Kucoin": 30, "Huobi": 20, "Kraken": 10}

    amounts = allocate(ranked=ranked_of(votes), params=shipped_params("hgp-45-2023"))

    assert amounts == {"Binance": 400_000, "Gate.io": 100_000, "Kucoin": 100_000, "Huobi": 100_000}


def test_fixed_tiers_with_fewer_included_choices_than_tiers_pay_only_those():
    amounts = allocate(ranked=[("A", 3), ("B", 1)], params=shipped_params("hgp-45-2023"))

    assert amounts == {"A": 400_000, "B": 100_000}


def test_fixed_tiers_pay_nothing_for_zero_votes():
    amounts = allocate(ranked=[("A", 3), ("B", 0)], params=shipped_params("hgp-45-2023"))

    assert amounts == {"A": 400_000}


# --- nothing to allocate -------------------------------------------------------------


@pytest.mark.parametrize("slug", ["hgp-45-2023", "hgp-50-2024", "hgp-70-2025"])
def test_no_votes_allocate_nothing(slug):
    params = shipped_params(slug)

    assert allocate(ranked=[("A", 0), ("B", 0)], params=params) == {}
    assert allocate(ranked=[], params=params) == {}


@pytest.mark.parametrize("slug", ["epoch-4-2023", "hgp-77-2026"])
def test_rules_without_an_allocation_allocate_nothing(slug):
    assert allocate(ranked=[("A", 10), ("B", 5)], params=shipped_params(slug)) == {}


def test_params_are_read_from_a_rules_snapshot():
    assert shipped_params("hgp-50-2024") == AllocationParams(
        rule="pro_rata_top_n", pool=1_000_000, top_n=4, cap=800_000, tiers=()
    )
    assert shipped_params("hgp-45-2023").tiers == (400_000, 100_000, 100_000, 100_000)
    assert shipped_params("hgp-70-2025").cap is None


# --- properties of the pro-rata rules ------------------------------------------------

votes_strategy = st.lists(
    st.one_of(
        st.integers(min_value=0, max_value=10**9),
        st.fractions(min_value=0, max_value=10**6, max_denominator=10**6),
    ),
    min_size=1,
    max_size=12,
).map(lambda values: {f"c{i}": Fraction(v) for i, v in enumerate(values)})


@st.composite
def pro_rata_params(draw: st.DrawFn) -> AllocationParams:
    rule = draw(st.sampled_from(["pro_rata_top_n", "pro_rata_included"]))
    pool = draw(st.integers(min_value=1, max_value=10**7))
    cap = draw(st.one_of(st.none(), st.integers(min_value=1, max_value=pool)))
    top_n = draw(st.integers(min_value=1, max_value=12)) if rule == "pro_rata_top_n" else None
    return AllocationParams(rule=rule, pool=pool, top_n=top_n, cap=cap)


@no_deadline
@given(votes=votes_strategy, params=pro_rata_params())
def test_amounts_sum_to_the_pool_and_never_exceed_the_cap(votes, params):
    amounts = allocate(ranked=ranked_of(votes), params=params)

    recipients = recipients_of(votes, params)
    assert set(amounts) <= set(recipients)
    assert all(amount > 0 for amount in amounts.values())
    if params.cap is not None:
        assert all(amount <= params.cap for amount in amounts.values())
    if not recipients:
        assert amounts == {}
    elif params.cap is None or len(recipients) * params.cap >= params.pool:
        assert sum(amounts.values()) == params.pool
    else:  # everyone capped: the rest stays unallocated
        assert amounts == dict.fromkeys(recipients, params.cap)


@no_deadline
@given(votes=votes_strategy, params=pro_rata_params())
def test_each_amount_is_within_one_hbot_of_its_exact_share(votes, params):
    assume(params.cap is None)
    amounts = allocate(ranked=ranked_of(votes), params=params)

    recipients = recipients_of(votes, params)
    total = sum(votes[k] for k in recipients)
    for key in recipients:
        assert abs(amounts.get(key, 0) - params.pool * votes[key] / total) < 1


@no_deadline
@given(
    votes=votes_strategy,
    params=pro_rata_params(),
    index=st.integers(min_value=0, max_value=11),
    extra=st.fractions(min_value=0, max_value=10**6, max_denominator=1000),
)
def test_more_votes_never_lower_a_choices_amount(votes, params, index, extra):
    """Stronger than the module's documented "up to the one HBOT of rounding": with every
    other choice's votes unchanged, the exact shares of the others shrink in proportion, so
    the largest-remainder rounding never takes an HBOT from the choice that gained."""
    key = list(votes)[index % len(votes)]
    more = {**votes, key: votes[key] + extra}

    before = allocate(ranked=ranked_of(votes), params=params).get(key, 0)
    after = allocate(ranked=ranked_of(more), params=params).get(key, 0)

    assert after >= before


@no_deadline
@given(votes=votes_strategy, params=pro_rata_params())
def test_recipients_with_equal_votes_differ_by_at_most_one_hbot(votes, params):
    amounts = allocate(ranked=ranked_of(votes), params=params)

    recipients = recipients_of(votes, params)
    for a in recipients:
        for b in recipients:
            if votes[a] == votes[b]:
                assert abs(amounts.get(a, 0) - amounts.get(b, 0)) <= 1


exact_ballots = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=10**6),  # power per unit of weight
        st.dictionaries(
            st.integers(min_value=1, max_value=6), st.integers(1, 5), min_size=1, max_size=6
        ),
    ).map(lambda t: Ballot(power=t[0] * sum(t[1].values()), weights=t[1])),
    min_size=1,
    max_size=10,
)


@no_deadline
@given(
    ballots=exact_ballots,
    params=pro_rata_params(),
    rnd=st.randoms(use_true_random=False),
)
def test_the_same_votes_in_another_order_allocate_the_same(ballots, params, rnd):
    """Ties are broken by the poll's order of choices, never by the order votes arrived.
    (Each voter's power is a multiple of their weight sum, so every score is exact.)"""
    positions = list(range(1, 7))

    def allocation(of: list[Ballot]) -> dict[int, int]:
        scores = tally(method="weighted", ballots=of, positions=positions)
        return allocate(ranked=[(s.position, Fraction(s.score)) for s in scores], params=params)

    shuffled = list(ballots)
    rnd.shuffle(shuffled)

    assert allocation(shuffled) == allocation(ballots)


@no_deadline
@given(
    votes=votes_strategy,
    tiers=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=6),
    index=st.integers(min_value=0, max_value=11),
    extra=st.integers(min_value=1, max_value=10**6),
)
def test_fixed_tiers_are_monotone_in_votes_when_tiers_fall_by_rank(votes, tiers, index, extra):
    params = AllocationParams(rule="fixed_tiers", tiers=tuple(sorted(tiers, reverse=True)))
    key = list(votes)[index % len(votes)]
    more = {**votes, key: votes[key] + extra}

    before = allocate(ranked=ranked_of(votes), params=params).get(key, 0)
    after = allocate(ranked=ranked_of(more), params=params).get(key, 0)

    assert after >= before
