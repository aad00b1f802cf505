"""Running totals of a poll's counted votes: kept by each vote, checked and repaired by a
recount from the signed votes.

A vote's transaction locks its poll's ``PollTally`` row, subtracts the parts of the vote it
replaces and adds its own (``governance.tally``), so the live result is a read of one row and
never a pass over the votes. The totals are exact, so a recount gives them bit for bit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from governance.models import Poll, PollTally, Vote
from governance.selectors import poll_totals_recount
from governance.tally import Ballot, Totals


class TotalsMismatch(Exception):
    """The running totals differ from a recount of the signed votes."""


def vote_ballot(vote: Vote) -> Ballot:
    """A stored vote as the tally counts it."""
    return Ballot.stored(power=vote.voting_power, weights=vote.weights)


def poll_tally_ensure(*, poll: Poll) -> PollTally:
    """The poll's tally row; created from a recount if the poll has none yet (a poll opened
    before running totals existed, or made without ``poll_open``)."""
    row = PollTally.objects.filter(poll_id=poll.pk).first()
    if row is not None:
        return row
    totals = poll_totals_recount(poll=poll)
    try:
        with transaction.atomic():
            return PollTally.objects.create(poll_id=poll.pk, totals=totals.as_json())
    except IntegrityError:  # another process made it first, from the same votes
        return PollTally.objects.get(poll_id=poll.pk)


def poll_tally_lock(*, poll: Poll) -> PollTally:
    """The poll's tally row, locked until the caller's transaction ends."""
    row = PollTally.objects.select_for_update().filter(poll_id=poll.pk).first()
    if row is None:
        poll_tally_ensure(poll=poll)
        row = PollTally.objects.select_for_update().get(poll_id=poll.pk)
    return row


def poll_tally_apply(
    *, row: PollTally, method: str, removed: Vote | None, added: Vote | None
) -> None:
    """Replace ``removed``'s parts by ``added``'s in a locked tally row, and save it."""
    totals = Totals.from_json(method=method, data=row.totals)
    if removed is not None:
        totals.remove(vote_ballot(removed))
    if added is not None:
        totals.add(vote_ballot(added))
    row.totals = totals.as_json()
    row.version += 1
    row.save(update_fields=["totals", "version", "updated_at"])


@dataclass(frozen=True)
class RecountReport:
    poll: Poll
    running: Totals
    recounted: Totals
    repaired: bool = False

    @property
    def agrees(self) -> bool:
        return self.running == self.recounted

    def differences(self) -> list[str]:
        lines = []
        if self.running.voter_count != self.recounted.voter_count:
            lines.append(
                f"voters: running {self.running.voter_count}, recount {self.recounted.voter_count}"
            )
        if self.running.total_power != self.recounted.total_power:
            lines.append(
                f"total power: running {self.running.total_power}, "
                f"recount {self.recounted.total_power}"
            )
        for position in sorted(set(self.running.sums) | set(self.recounted.sums)):
            ours = self.running.sums.get(position, 0)
            theirs = self.recounted.sums.get(position, 0)
            if ours != theirs:
                lines.append(f"choice {position}: running {ours}, recount {theirs}")
        return lines


def poll_recount(*, poll: Poll, repair: bool = False) -> RecountReport:
    """Compare the poll's running totals with a recount of its signed votes; with
    ``repair``, replace them by the recount when they differ.

    Repairing locks the tally row while it recounts, so votes wait for it (seconds at
    100,000 votes); checking takes no lock and may see a vote land in between, so a
    difference found without ``repair`` is checked again under the lock before it is
    reported.
    """
    row = poll_tally_ensure(poll=poll)  # read afresh, never a copy cached on ``poll``
    running = Totals.from_json(method=poll.voting_method, data=row.totals)
    recounted = poll_totals_recount(poll=poll)
    if running == recounted and not repair:
        return RecountReport(poll=poll, running=running, recounted=recounted)
    with transaction.atomic():
        row = poll_tally_lock(poll=poll)
        running = Totals.from_json(method=poll.voting_method, data=row.totals)
        recounted = poll_totals_recount(poll=poll)
        if running == recounted or not repair:
            return RecountReport(poll=poll, running=running, recounted=recounted)
        row.totals = recounted.as_json()
        row.version += 1
        row.save(update_fields=["totals", "version", "updated_at"])
    return RecountReport(poll=poll, running=running, recounted=recounted, repaired=True)


def poll_totals_verified(*, poll: Poll) -> Totals:
    """The running totals of a poll that takes no more votes, after checking them against a
    recount; raises ``TotalsMismatch`` naming the differences."""
    report = poll_recount(poll=poll)
    if not report.agrees:
        raise TotalsMismatch("; ".join(report.differences()))
    return report.running
