"""The allocation simulator: "if I put my 250,000 HBOT on these weights", what would the
poll's result be?

It tries a ballot on an open poll the way a real vote would count, with the same code:
the vote's checks (``services.votes.ballot_check``), the running totals
(``selectors.poll_totals``) changed as a vote changes them (the voter's counted vote, if
any, replaced: ``tally.Totals``), and the result computed and rounded as the poll page shows
it (``results.poll_result_compute``, ``selectors.results_from_computed``). Nothing is signed
and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.conf import settings

from governance.chain.balances import checksum
from governance.models import Choice, Poll, Vote
from governance.results import poll_result_compute
from governance.selectors import PollResults, ResultRow, poll_totals, results_from_computed
from governance.services.errors import GovernanceError
from governance.services.tallies import vote_ballot
from governance.services.votes import ballot_check
from governance.tally import Ballot, Totals

MAX_BALANCE_HBOT = 10**12


class SimulationRefused(GovernanceError):
    code = "simulation_invalid"


class SimulationBadBalance(SimulationRefused):
    code = "invalid_balance"


class SimulationBadAddress(SimulationRefused):
    code = "invalid_address"


@dataclass(frozen=True)
class SimulationRow:
    """One choice, as the poll stands and as it would stand after the tried vote."""

    choice: Choice
    live: ResultRow
    simulated: ResultRow

    @property
    def rank_change(self) -> int:
        """Places gained (positive) or lost (negative) by the tried vote."""
        return (self.live.rank or 0) - (self.simulated.rank or 0)

    @property
    def allocation_change(self) -> int:
        return (self.simulated.allocation_hbot or 0) - (self.live.allocation_hbot or 0)


@dataclass(frozen=True)
class PollSimulation:
    poll: Poll
    weights: tuple[tuple[int, int], ...]  # (choice position, weight), as tried
    balance_hbot: Decimal
    power: int  # base units
    replaced: Vote | None  # the address's counted vote that the tried one replaces
    live: PollResults
    simulated: PollResults
    live_totals: Totals
    simulated_totals: Totals

    @property
    def rows(self) -> list[SimulationRow]:
        """Every choice, in the order of the simulated result (by rank)."""
        live = {row.choice.position: row for row in self.live.rows}
        return [
            SimulationRow(choice=row.choice, live=live[row.choice.position], simulated=row)
            for row in self.simulated.rows
        ]


def poll_simulate(
    *,
    poll: Poll,
    weights: dict[int, int],
    balance_hbot: Decimal,
    address: str | None = None,
    now: datetime | None = None,
) -> PollSimulation:
    """The result of ``poll`` (from ``poll_get``) as it stands and as it would stand with a
    vote of ``balance_hbot`` HBOT on ``weights`` (choice position -> weight); when
    ``address`` has a counted vote, the tried one replaces it, as a new vote would.

    Refuses what a vote would be refused for (``VoteRejected``: the poll is not active, an
    unknown choice, weights all zero or out of range, too many choices) and a balance that
    is not a positive amount of at most 10^12 HBOT with at most 18 decimals.
    """
    pairs = ballot_check(poll=poll, pairs=sorted(weights.items()), now=now)
    power = balance_base_units(balance_hbot)
    replaced = None
    if address:
        try:
            voter = checksum(address)
        except ValueError as exc:
            raise SimulationBadAddress(f"{exc}.") from None
        replaced = Vote.objects.filter(poll=poll, voter=voter, is_current=True).first()
    live_totals = poll_totals(poll=poll)
    simulated_totals = Totals.from_json(method=poll.voting_method, data=live_totals.as_json())
    if replaced is not None:
        simulated_totals.remove(vote_ballot(replaced))
    simulated_totals.add(Ballot(power=power, weights=dict(pairs)))
    return PollSimulation(
        poll=poll,
        weights=tuple(pairs),
        balance_hbot=balance_hbot,
        power=power,
        replaced=replaced,
        live=results_from_computed(
            poll_result_compute(poll=poll, totals=live_totals), source="live"
        ),
        simulated=results_from_computed(
            poll_result_compute(poll=poll, totals=simulated_totals), source="simulation"
        ),
        live_totals=live_totals,
        simulated_totals=simulated_totals,
    )


def balance_base_units(balance_hbot: object) -> int:
    """A tried balance in base units: a positive decimal of at most 10^12 HBOT and
    ``HBOT_DECIMALS`` decimal places (exact: no float, no rounding)."""
    try:
        amount = Decimal(str(balance_hbot).strip())
    except InvalidOperation:
        raise SimulationBadBalance(f"{balance_hbot!r} is not a number of HBOT.") from None
    if not amount.is_finite() or amount <= 0:
        raise SimulationBadBalance("The balance must be a positive amount of HBOT.")
    if amount > MAX_BALANCE_HBOT:
        raise SimulationBadBalance(f"The balance can be at most {MAX_BALANCE_HBOT:,} HBOT.")
    units = Fraction(amount) * 10**settings.HBOT_DECIMALS
    if units.denominator != 1:
        raise SimulationBadBalance(
            f"HBOT has {settings.HBOT_DECIMALS} decimal places; the balance has more."
        )
    return int(units)
