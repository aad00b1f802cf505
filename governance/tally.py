"""Scores of a poll from its ballots, by Snapshot's published formulas (docs/DOMAIN.md §7), exactly.

- Weighted: a voter with power B splits it over their choices by their weights:
  ``score_k = Σ_voters B · w_k / Σ_j w_j``. Scores sum to the total power of the votes.
- Quadratic: ``raw_k = (Σ_voters sqrt(B · w_k / Σ_j w_j))²``, then scaled so the scores sum
  to the total power: ``score_k = raw_k / Σ raw · total``.
- Basic (proposals): each voter's whole power goes to their single choice.

Every ballot adds a *part* to each choice it weighs, and a choice's running total is the sum
of those parts (``ballot_parts``), so a poll can keep its totals as votes arrive (subtract a
replaced vote's parts, add the new one's) and a recount from the signed votes gives the same
totals bit for bit, in any order:

- weighted and basic parts are exact rationals (``Fraction``): a 400,000/3 split is 400,000/3,
  ties are exact and a score equal to the threshold is equal to it;
- a quadratic part is the square root of the voter's share, floored to ``ROOT_DIGITS``
  decimal places of a base unit's root (an integer count of ``1 / ROOT_SCALE``); the scores
  are then exact functions of those integers. The floor changes a root by less than 10⁻³⁰ of
  the root of one base unit (10⁻¹⁸ HBOT), far below anything shown or allocated.

Scores, shares and comparisons stay exact; round only to display them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from math import isqrt

ROOT_DIGITS = 30
ROOT_SCALE = 10**ROOT_DIGITS
METHODS = ("weighted", "quadratic", "basic")


class InvalidBallot(ValueError):
    """A ballot that cannot be counted: no positive weight, a negative weight, or a choice
    the poll lacks. (Snapshot treats an all-zero weighted vote as invalid too.)"""


@dataclass(frozen=True)
class Ballot:
    power: int
    weights: Mapping[int, int]  # choice position -> weight (>= 0, at least one > 0)

    @classmethod
    def stored(cls, *, power: object, weights: Iterable[Sequence[object]]) -> Ballot:
        """A ballot from a vote as stored: power in base units, ``[[choice, weight], ...]``."""
        return cls(power=int(str(power)), weights={int(str(c)): int(str(w)) for c, w in weights})


@dataclass(frozen=True)
class Score:
    position: int
    score: Fraction  # base units, exact
    share: Fraction  # percent of all scores, exact; 0 when nobody voted
    rank: int  # 1-based; equal scores are ranked by position


@dataclass
class Totals:
    """Running totals of a poll's counted ballots: each choice's sum of parts, the voters
    counted and their power. ``add`` and ``remove`` are exact inverses."""

    method: str
    sums: dict[int, Fraction] = field(default_factory=dict)
    voter_count: int = 0
    total_power: int = 0

    def add(self, ballot: Ballot, *, sign: int = 1) -> None:
        if ballot.power <= 0:
            return  # no power, no vote (the vote service refuses such votes)
        self._accumulate(
            ballot_parts(method=self.method, ballot=ballot),
            sign=sign,
            voters=1,
            power=ballot.power,
        )

    def remove(self, ballot: Ballot) -> None:
        self.add(ballot, sign=-1)

    def merge(self, other: Totals) -> None:
        """Add another set of totals (or a change to them) to these."""
        self._accumulate(other.sums, sign=1, voters=other.voter_count, power=other.total_power)

    def _accumulate(
        self, parts: Mapping[int, Fraction], *, sign: int, voters: int, power: int
    ) -> None:
        """Add ``sign`` times ``parts``, ``voters`` and ``power``; choices that come to 0
        are dropped, so equal totals compare equal however they were reached."""
        for position, part in parts.items():
            total = self.sums.get(position, Fraction(0)) + sign * part
            if total:
                self.sums[position] = total
            else:
                self.sums.pop(position, None)
        self.voter_count += sign * voters
        self.total_power += sign * power

    def check_positions(self, positions: Iterable[int]) -> None:
        unknown = sorted(set(self.sums) - set(positions))
        if unknown:
            raise InvalidBallot(f"a ballot names choice {unknown[0]}, which the poll lacks")

    # Stored as text, so a total of any size survives every database exactly.
    def as_json(self) -> dict[str, object]:
        return {
            "voter_count": self.voter_count,
            "total_power": str(self.total_power),
            "sums": {str(p): str(s) for p, s in sorted(self.sums.items())},
        }

    @classmethod
    def from_json(cls, *, method: str, data: Mapping[str, object]) -> Totals:
        sums = data.get("sums") or {}
        if not isinstance(sums, Mapping):
            raise ValueError("stored totals must map choice positions to fractions")
        return cls(
            method=method,
            sums={int(p): Fraction(str(s)) for p, s in sums.items()},
            voter_count=int(str(data.get("voter_count") or 0)),
            total_power=int(str(data.get("total_power") or 0)),
        )


def ballot_parts(*, method: str, ballot: Ballot) -> dict[int, Fraction]:
    """What ``ballot`` adds to each choice's running total (choices it gives 0 are left out).

    Raises ``InvalidBallot`` for a ballot without any positive weight or with a negative one.
    """
    if method not in METHODS:
        raise ValueError(f"unknown voting method {method!r}")
    weights = {int(p): int(w) for p, w in ballot.weights.items()}
    if any(w < 0 for w in weights.values()):
        raise InvalidBallot("a weight is negative; weights are whole numbers from 0 up")
    weight_sum = sum(weights.values())
    if weight_sum <= 0:
        raise InvalidBallot("every weight is zero; give at least one choice a weight above 0")
    power = int(ballot.power)
    if method == "quadratic":
        # floor(sqrt(x) * S) == isqrt(floor(x * S²)) for any rational x >= 0
        return {
            p: Fraction(isqrt(power * w * ROOT_SCALE**2 // weight_sum))
            for p, w in weights.items()
            if w
        }
    return {p: Fraction(power * w, weight_sum) for p, w in weights.items() if w}


def totals_of(*, method: str, ballots: Iterable[Ballot]) -> Totals:
    totals = Totals(method=method)
    for ballot in ballots:
        totals.add(ballot)
    return totals


def scores(*, totals: Totals, positions: Sequence[int]) -> list[Score]:
    """Exact scores for every choice in ``positions`` from the running totals, ranked
    (highest first; equal scores by position, the order the poll lists them)."""
    totals.check_positions(positions)
    sums = {p: totals.sums.get(p, Fraction(0)) for p in positions}
    if totals.method == "quadratic":
        squares = {p: s * s for p, s in sums.items()}
        square_sum = sum(squares.values(), Fraction(0))
        values = {
            p: (sq / square_sum * totals.total_power if square_sum else Fraction(0))
            for p, sq in squares.items()
        }
    else:
        values = sums
    score_sum = sum(values.values(), Fraction(0))
    ordered = sorted(positions, key=lambda p: (-values[p], p))
    return [
        Score(
            position=p,
            score=values[p],
            share=(values[p] * 100 / score_sum) if score_sum else Fraction(0),
            rank=rank,
        )
        for rank, p in enumerate(ordered, start=1)
    ]


def tally(*, method: str, ballots: Iterable[Ballot], positions: Sequence[int]) -> list[Score]:
    """Scores for every choice in ``positions`` from ``ballots``, ranked (highest first)."""
    return scores(totals=totals_of(method=method, ballots=ballots), positions=positions)


def passes_threshold(score: Fraction | int, *, threshold_base_units: int, inclusive: bool) -> bool:
    return score >= threshold_base_units if inclusive else score > threshold_base_units
