"""A poll's result from its totals, under the rules it copied: exact scores and ranks, who
passes the inclusion threshold (and the choice limit), and the pot allocation.

Pure computing on a poll with its choices: live results and finalizing read the poll's
running totals; an audit passes totals recounted from the signed votes. Nothing is rounded
here; pages and downloads round for display.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.conf import settings

from governance.allocation import AllocationParams, allocate
from governance.models import Choice, Poll
from governance.tally import Score, Totals, passes_threshold, scores


@dataclass(frozen=True)
class ChoiceResult:
    choice: Choice
    score: Fraction  # base units, exact
    share: Fraction  # percent, exact
    rank: int
    passed: bool
    failure_reason: str
    allocation_hbot: int
    tier: str


@dataclass(frozen=True)
class PollResult:
    poll: Poll
    choices: list[ChoiceResult]  # by rank
    voter_count: int
    total_power: int
    threshold_hbot: int


def poll_threshold_hbot(rules: dict[str, Any]) -> int:
    return int(str(rules.get("inclusion_threshold_hbot") or 0))


def poll_result_compute(*, poll: Poll, totals: Totals) -> PollResult:
    """The result of ``poll`` (choices from ``poll.choices.all()``) for ``totals``."""
    rules = poll.rules_in_effect
    choices = list(poll.choices.all())
    ranked = scores(totals=totals, positions=[c.position for c in choices])
    by_position = {c.position: c for c in choices}
    decimals = 10**settings.HBOT_DECIMALS
    threshold = poll_threshold_hbot(rules)
    inclusive = bool(rules.get("threshold_inclusive", True))
    failures = _failures(
        ranked=ranked,
        threshold_base_units=threshold * decimals,
        inclusive=inclusive,
        removals=rules.get("choice_limit_removals") or {},
        is_proposal=poll.is_proposal_vote,
    )
    included = [s for s in ranked if s.position not in failures]
    amounts = (
        {}
        if poll.is_proposal_vote
        else allocate(
            ranked=[(s.position, s.score / decimals) for s in included],
            params=AllocationParams.from_snapshot(rules),
        )
    )
    names = rules.get("tier_names")
    tier_names = list(names) if isinstance(names, list) else []
    tier_rest = str(rules.get("tier_name_rest") or "")
    tiers = {
        s.position: (str(tier_names[i]) if i < len(tier_names) else tier_rest)
        for i, s in enumerate(included)
    }
    return PollResult(
        poll=poll,
        choices=[
            ChoiceResult(
                choice=by_position[s.position],
                score=s.score,
                share=s.share,
                rank=s.rank,
                passed=s.position not in failures,
                failure_reason=failures.get(s.position, ""),
                allocation_hbot=amounts.get(s.position, 0),
                tier=tiers.get(s.position, ""),
            )
            for s in ranked
        ],
        voter_count=totals.voter_count,
        total_power=totals.total_power,
        threshold_hbot=threshold,
    )


def _failures(
    *,
    ranked: list[Score],
    threshold_base_units: int,
    inclusive: bool,
    removals: object,
    is_proposal: bool,
) -> dict[int, str]:
    """Choice positions that fail, with the reason: below the inclusion threshold, or among
    the lowest-ranked when the poll is at the choice limit (Epoch 12's rule)."""
    if is_proposal:
        return {}
    failures: dict[int, str] = {}
    if threshold_base_units:
        word = "at least" if inclusive else "more than"
        whole = threshold_base_units // 10**settings.HBOT_DECIMALS
        for s in ranked:
            if not passes_threshold(
                s.score, threshold_base_units=threshold_base_units, inclusive=inclusive
            ):
                failures[s.position] = f"Below the inclusion threshold ({word} {whole:,} HBOT)."
    count = len(ranked)
    to_remove = int(removals.get(str(count), 0)) if isinstance(removals, dict) else 0
    for s in ranked[count - to_remove :] if to_remove else []:
        failures.setdefault(
            s.position,
            f"Among the {to_remove} lowest-ranked of {count} choices, removed to make room "
            "for new connectors.",
        )
    return failures
