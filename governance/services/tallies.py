"""Running totals of a poll's counted votes: kept by each vote, checked and repaired by a
recount from the signed votes.

A vote appends its change to the totals (its parts minus those of the vote it replaces,
``governance.tally``) in the transaction that records it; every few votes one of them folds
the pending changes into the poll's ``PollTally`` row, skipping it if another vote is
folding at that moment. No vote waits for another here, so votes of one poll commit side by
side; the live result is the row plus the few pending changes, read in one statement. The
totals are exact, so a recount gives them bit for bit.

Replacing the totals (creating them for a poll that has none, repairing them) takes the
poll's row lock, which waits for the votes in flight and holds new ones back meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from governance.models import Poll, PollTally, PollTallyDelta, Vote
from governance.selectors import poll_totals, poll_totals_recount
from governance.tally import Ballot, Totals


class TotalsMismatch(Exception):
    """The running totals differ from a recount of the signed votes."""


def vote_ballot(vote: Vote) -> Ballot:
    """A stored vote as the tally counts it."""
    return Ballot.stored(power=vote.voting_power, weights=vote.weights)


def vote_totals_record(*, poll: Poll, removed: Vote | None, added: Vote) -> None:
    """Inside a vote's transaction: record that ``added`` replaces ``removed`` (if any) in
    the poll's totals; every ``POLL_TOTALS_FOLD_EVERY``-th change also folds the pending
    ones into the totals row, unless another vote is folding them just then."""
    change = Totals(method=poll.voting_method)
    if removed is not None:
        change.remove(vote_ballot(removed))
    change.add(vote_ballot(added))
    delta = PollTallyDelta.objects.create(poll_id=poll.pk, totals=change.as_json())
    if delta.pk % max(1, settings.POLL_TOTALS_FOLD_EVERY) == 0:
        poll_tally_fold(poll=poll, wait=False)


def poll_tally_fold(*, poll: Poll, wait: bool = True) -> bool:
    """Fold the poll's pending changes into its totals row. False when the row is missing
    or (``wait=False``) another transaction holds it; then the changes stay pending."""
    with transaction.atomic():
        rows = PollTally.objects.filter(poll_id=poll.pk)
        row = (
            rows.select_for_update() if wait else rows.select_for_update(skip_locked=True)
        ).first()
        if row is None:
            return False
        pending = list(
            PollTallyDelta.objects.filter(poll_id=poll.pk)
            .order_by("id")
            .values_list("id", "totals")
        )
        if not pending:
            return True
        totals = Totals.from_json(method=poll.voting_method, data=row.totals)
        for _, change in pending:
            totals.merge(Totals.from_json(method=poll.voting_method, data=change))
        _totals_store(row, totals)
        # Exactly the changes read: one committed since then waits for the next fold.
        PollTallyDelta.objects.filter(id__in=[pk for pk, _ in pending]).delete()
        return True


def _totals_store(row: PollTally, totals: Totals) -> None:
    """Write ``totals`` into a locked totals row, a new version."""
    row.totals = totals.as_json()
    row.version += 1
    row.save(update_fields=["totals", "version", "updated_at"])


def _poll_row_lock(poll: Poll) -> None:
    """Lock the poll's row: waits for the votes in flight (they hold it shared) and holds
    new ones back until the caller's transaction ends."""
    Poll.objects.select_for_update().filter(pk=poll.pk).order_by("pk").first()


def poll_tally_ensure(*, poll: Poll) -> PollTally:
    """The poll's totals row; made from a recount (under the poll's row lock) if the poll
    has none yet: a poll opened before running totals existed, or made without
    ``poll_open``."""
    row = PollTally.objects.filter(poll_id=poll.pk).first()
    if row is not None:
        return row
    with transaction.atomic():
        _poll_row_lock(poll)
        row = PollTally.objects.filter(poll_id=poll.pk).first()
        if row is None:
            PollTallyDelta.objects.filter(poll_id=poll.pk).delete()  # the recount has them
            row = PollTally.objects.create(
                poll_id=poll.pk, totals=poll_totals_recount(poll=poll).as_json()
            )
        return row


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

    The check takes no lock, so a vote landing in between can make the two differ; a
    difference is checked again under the poll's row lock (votes wait for it meanwhile:
    seconds at 100,000 votes) before it is reported or repaired.
    """
    poll_tally_ensure(poll=poll)
    running = poll_totals(poll=poll)
    recounted = poll_totals_recount(poll=poll)
    if running == recounted:
        return RecountReport(poll=poll, running=running, recounted=recounted)
    with transaction.atomic():
        _poll_row_lock(poll)
        running = poll_totals(poll=poll)
        recounted = poll_totals_recount(poll=poll)
        if running == recounted or not repair:
            return RecountReport(poll=poll, running=running, recounted=recounted)
        PollTallyDelta.objects.filter(poll_id=poll.pk).delete()
        _totals_store(PollTally.objects.select_for_update().get(poll_id=poll.pk), recounted)
    return RecountReport(poll=poll, running=running, recounted=recounted, repaired=True)


def poll_totals_verified(*, poll: Poll) -> Totals:
    """The running totals of a poll that takes no more votes, after checking them against a
    recount; raises ``TotalsMismatch`` naming the differences."""
    report = poll_recount(poll=poll)
    if not report.agrees:
        raise TotalsMismatch("; ".join(report.differences()))
    return report.running
