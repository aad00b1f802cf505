"""Scores of a poll from its ballots, by Snapshot's published formulas (DOMAIN.md §7).

- Weighted: a voter with power B splits it over their choices by their weights:
  ``score_k = Σ_voters B · w_k / Σ_j w_j``. Scores sum to the total power of the votes.
- Quadratic: ``raw_k = (Σ_voters sqrt(B · w_k / Σ_j w_j))²``, then scaled so the scores sum
  to the total power: ``score_k = raw_k / Σ raw · total``.
- Basic (proposals): each voter's whole power goes to their single choice.

Scores are in token base units, computed in Decimal at 80 significant digits (exact for
weighted and basic votes at any realistic size; quadratic needs square roots).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

PRECISION = 80


@dataclass(frozen=True)
class Ballot:
    power: int
    weights: Mapping[int, int]  # choice position -> positive weight


@dataclass(frozen=True)
class Score:
    position: int
    score: Decimal  # base units
    share: Decimal  # percent of all scores, 0 when nobody voted
    rank: int  # 1-based; equal scores are ranked by position


def tally(*, method: str, ballots: Iterable[Ballot], positions: Sequence[int]) -> list[Score]:
    """Scores for every choice in ``positions``, ranked (highest first)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        raw = {p: Decimal(0) for p in positions}
        total = Decimal(0)
        for ballot in ballots:
            if ballot.power <= 0 or not ballot.weights:
                continue
            power = Decimal(ballot.power)
            total += power
            weight_sum = Decimal(sum(ballot.weights.values()))
            for position, weight in ballot.weights.items():
                if position not in raw:
                    raise ValueError(f"ballot names choice {position}, which the poll lacks")
                portion = power * Decimal(weight) / weight_sum
                raw[position] += portion.sqrt() if method == "quadratic" else portion
        if method == "quadratic":
            squares = {p: r * r for p, r in raw.items()}
            square_sum = sum(squares.values(), Decimal(0))
            scores = {
                p: (s / square_sum * total if square_sum else Decimal(0))
                for p, s in squares.items()
            }
        else:
            scores = raw
        score_sum = sum(scores.values(), Decimal(0))
        ordered = sorted(positions, key=lambda p: (-scores[p], p))
        return [
            Score(
                position=p,
                score=+scores[p],
                share=(scores[p] * 100 / score_sum) if score_sum else Decimal(0),
                rank=rank,
            )
            for rank, p in enumerate(ordered, start=1)
        ]


def passes_threshold(score: Decimal, *, threshold_base_units: int, inclusive: bool) -> bool:
    return score >= threshold_base_units if inclusive else score > threshold_base_units
