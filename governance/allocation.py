"""How a finalized poll splits its pot, in whole HBOT, by the rule of its epoch
(docs/DOMAIN.md §3.5).

- ``fixed_tiers`` (Epoch 6): the i-th ranked included choice gets the i-th tier amount.
- ``pro_rata_top_n`` (Epochs 7-11): the top N included choices share the pool in proportion
  to their votes, each capped.
- ``pro_rata_included`` (Epochs 12-13): every included choice shares the pool in proportion
  to its votes (a cap applies if the rules set one).

Documented choices where the sources are silent (docs/DOMAIN.md §3.6, §9.3-9.4):

- **Cap excess** is redistributed to the uncapped recipients in proportion to their votes,
  repeatedly, until no one is over the cap ("water-filling"). If every recipient is capped
  the rest of the pool stays unallocated, so the total is ``min(pool, recipients x cap)``.
- **Whole HBOT**: exact shares are floored and the HBOT left over goes, one each, to the
  largest fractional remainders (Hamilton's method), so the total is exact. Equal
  remainders are broken by rank.
- **Ties**: choices with equal votes are ranked by their position in the poll (the order it
  listed them); at the top-N boundary the earlier-listed choice is in. With equal votes two
  recipients get equal exact shares, and differ by at most the one HBOT of rounding.
- Nobody with zero votes receives anything; a poll without votes allocates nothing.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class AllocationParams:
    rule: str
    pool: int = 0
    top_n: int | None = None
    cap: int | None = None
    tiers: Sequence[int] = field(default_factory=tuple)

    @classmethod
    def from_snapshot(cls, rules: dict[str, object]) -> AllocationParams:
        def optional_int(name: str) -> int | None:
            value = rules.get(name)
            return None if value is None else int(str(value))

        tiers = rules.get("tier_amounts_hbot") or []
        return cls(
            rule=str(rules.get("allocation_rule") or "none"),
            pool=int(str(rules.get("pool_per_poll_hbot") or 0)),
            top_n=optional_int("top_n"),
            cap=optional_int("cap_per_choice_hbot"),
            tiers=tuple(int(t) for t in tiers) if isinstance(tiers, list | tuple) else (),
        )


def allocate(
    *, ranked: Sequence[tuple[K, Fraction | int]], params: AllocationParams
) -> dict[K, int]:
    """Whole-HBOT amounts for the included choices ``ranked`` (highest votes first).

    ``ranked`` holds (key, votes) for the choices that met the inclusion threshold, already
    in rank order with ties broken. Keys that receive nothing are left out.
    """
    if params.rule == "fixed_tiers":
        return {
            key: amount
            for (key, votes), amount in zip(ranked, params.tiers, strict=False)
            if amount > 0 and votes > 0
        }
    if params.rule == "pro_rata_top_n":
        recipients = list(ranked[: params.top_n or 0])
    elif params.rule == "pro_rata_included":
        recipients = list(ranked)
    else:
        return {}
    positive = [(key, Fraction(votes)) for key, votes in recipients if votes > 0]
    exact = _water_fill(positive, pool=params.pool, cap=params.cap)
    return {key: amount for key, amount in _round_hamilton(exact).items() if amount > 0}


def _water_fill(
    recipients: Sequence[tuple[K, Fraction]], *, pool: int, cap: int | None
) -> list[tuple[K, Fraction]]:
    """Exact pro-rata shares of ``pool``; shares over ``cap`` are capped and the excess
    is shared again among the others, in proportion to their votes."""
    capped: set[K] = set()
    while True:
        active = [(k, v) for k, v in recipients if k not in capped]
        remaining = Fraction(pool) - Fraction(cap or 0) * len(capped)
        votes_sum = sum((v for _, v in active), Fraction(0))
        shares = {k: remaining * v / votes_sum for k, v in active} if votes_sum else {}
        over = {k for k, share in shares.items() if cap is not None and share > cap}
        if not over:
            break
        capped |= over
    return [
        (k, Fraction(cap or 0) if k in capped else shares.get(k, Fraction(0)))
        for k, _ in recipients
    ]


def _round_hamilton(exact: Sequence[tuple[K, Fraction]]) -> dict[K, int]:
    """Whole units that sum to the (whole) total of ``exact``; largest remainders first."""
    floors = {k: int(share) for k, share in exact}  # shares are non-negative
    target = int(sum((share for _, share in exact), Fraction(0)))
    leftover = target - sum(floors.values())
    by_remainder = sorted(
        range(len(exact)), key=lambda i: (-(exact[i][1] - floors[exact[i][0]]), i)
    )
    for i in by_remainder[:leftover]:
        floors[exact[i][0]] += 1
    return floors
