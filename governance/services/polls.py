"""Poll lifecycle: create (draft) -> open (active, snapshot block fixed) -> closed -> finalized.

Opening reads the chain's latest final block as the snapshot and copies the rules in force,
so the result can always be recomputed. Closing and finalizing happen on time through
Celery beat (``polls_advance``); staff may also open and finalize by hand.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from governance.chain.balances import BalanceReader
from governance.chain.errors import ChainError
from governance.choices import ChoiceSpec, connectors_decided_by, default_choices
from governance.models import (
    Choice,
    Epoch,
    GovernanceRules,
    InclusionAction,
    InclusionDecision,
    Poll,
    PollKind,
    PollStatus,
    PollUnit,
    PotCredit,
)
from governance.results import PollResult, poll_result_compute
from governance.selectors import rules_current
from governance.services.errors import ChainUnavailable, GovernanceError, PollStateError
from governance.services.tallies import (
    TotalsMismatch,
    poll_tally_ensure,
    poll_tally_fold,
    poll_totals_verified,
)
from governance.units import SCORE_QUANTUM, SHARE_QUANTUM, decimal_round

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

logger = logging.getLogger(__name__)


def epoch_rules(epoch: Epoch) -> GovernanceRules | None:
    return epoch.rules or rules_current(on=epoch.starts_on)


def poll_rules_for(*, epoch: Epoch, kind: str) -> GovernanceRules:
    """The rules a new poll of ``kind`` in ``epoch`` runs under; refuses kinds they lack."""
    if kind not in PollKind.values or kind == PollKind.PROPOSAL:
        raise GovernanceError(f"{kind!r} is not a connector poll kind.")
    rules = epoch_rules(epoch)
    if rules is None:
        raise GovernanceError(f"No governance rules are in force for {epoch}.")
    if kind not in rules.poll_kinds:
        offered = ", ".join(PollKind(k).label for k in rules.poll_kinds) or "no connector polls"
        raise GovernanceError(
            f"The rules of {epoch} ({rules.name}) have no {PollKind(kind).label} poll; "
            f"they provide: {offered}."
        )
    return rules


@transaction.atomic
def poll_create(
    *,
    epoch: Epoch,
    kind: str,
    title: str = "",
    reference: str = "",
    description: str = "",
    starts_at: datetime | None = None,
    choices: list[ChoiceSpec] | None = None,
    created_by: AbstractBaseUser | None = None,
) -> Poll:
    """A draft connector poll; its choices default to the registry's eligible connectors."""
    rules = poll_rules_for(epoch=epoch, kind=kind)
    specs = default_choices(kind=kind) if choices is None else choices
    if len(specs) < 2:
        raise GovernanceError(
            f"A poll needs at least two choices; the registry has {len(specs)} eligible "
            f"{PollKind(kind).label.lower()}."
        )
    poll = Poll(
        epoch=epoch,
        kind=kind,
        title=title.strip() or f"{epoch.name} {PollKind(kind).label} Poll",
        reference=reference.strip(),
        description=description,
        rules=rules,
        voting_method=rules.voting_method,
        starts_at=starts_at,
        created_by=created_by,  # type: ignore[misc]
    )
    poll.full_clean()
    poll.save()
    _choices_create(poll=poll, specs=specs)
    return poll


def _choices_create(*, poll: Poll, specs: list[ChoiceSpec]) -> None:
    labels = [s.label for s in specs]
    if len(set(labels)) != len(labels):
        raise GovernanceError("Two choices have the same label; every label must be unique.")
    Choice.objects.bulk_create(
        Choice(
            poll=poll,
            position=position,
            label=spec.label,
            exchange=spec.exchange,
            connector=spec.connector,
            chain=spec.chain,
        )
        for position, spec in enumerate(specs, start=1)
    )


@transaction.atomic
def poll_open(
    *, poll: Poll, reader: BalanceReader | None = None, now: datetime | None = None
) -> Poll:
    """Activate a draft: fix the snapshot block (the chain's latest final block) and copy
    the rules in force. Raises ``PollStateError`` or ``ChainUnavailable``; then nothing
    changes."""
    now = now or timezone.now()
    poll = Poll.objects.select_for_update().get(pk=poll.pk)
    if poll.status != PollStatus.DRAFT:
        raise PollStateError(f"{poll} is {poll.get_status_display().lower()}, not a draft.")
    rules = poll.rules or rules_current(on=now)
    if rules is None:
        raise PollStateError("No governance rules are in force; add a rules version first.")
    count = poll.choices.count()
    if count < 2:
        raise PollStateError("A poll needs at least two choices to open.")
    if rules.max_choices is not None and count > rules.max_choices:
        raise PollStateError(
            f"{poll} has {count} choices; the rules allow at most {rules.max_choices}. "
            "Remove some before opening."
        )
    reader = reader or BalanceReader.from_settings()
    try:
        reader.check_chain()
        snapshot_block = reader.latest_final_block()
    except ChainError as exc:
        raise ChainUnavailable(f"Could not fix the snapshot block: {exc}") from exc

    snapshot = rules.as_snapshot()
    proposal = getattr(poll, "proposal", None) if poll.is_proposal_vote else None
    if proposal is not None:
        snapshot = {**snapshot, **proposal.rules_snapshot}
        duration = timedelta(days=int(str(proposal.rules_snapshot["vote_days"])))
    else:
        duration = timedelta(days=rules.poll_duration_days)
    poll.rules = rules
    poll.rules_snapshot = snapshot
    if not poll.is_proposal_vote:
        poll.voting_method = rules.voting_method
    poll.snapshot_block = snapshot_block
    poll.chain_id = reader.chain_id
    poll.token_address = reader.token_address
    poll.opened_at = now
    poll.starts_at = now
    poll.ends_at = now + duration
    poll.status = PollStatus.ACTIVE
    poll.save()
    poll_tally_ensure(poll=poll)
    return poll


@transaction.atomic
def poll_close(*, poll: Poll, now: datetime | None = None) -> bool:
    """Close an active poll whose time is up. False when it was not due (or not active).

    Takes the poll's row lock, which every vote takes too: no vote lands after closing.
    """
    now = now or timezone.now()
    locked = Poll.objects.select_for_update().get(pk=poll.pk)
    if locked.status != PollStatus.ACTIVE or locked.ends_at is None or locked.ends_at > now:
        return False
    locked.status = PollStatus.CLOSED
    locked.closed_at = now
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    poll.status, poll.closed_at = locked.status, locked.closed_at
    return True


def poll_finalize(
    *, poll: Poll, actor: AbstractBaseUser | None = None, now: datetime | None = None
) -> PollResult:
    """Freeze the result of a closed poll; record pending removals and pot credits.

    A closed poll takes no more votes, so its running totals are final: they are checked
    against a recount of the signed votes first, without any lock (a poll whose totals
    disagree is refused; ``poll_recount --repair`` mends it). Then the poll's row is locked
    only while the result is computed from the totals and written, which takes
    milliseconds whatever the number of votes. Idempotent under races: the status is read
    again under the lock, and only the caller that moves it writes the outcome.
    """
    now = now or timezone.now()
    current = Poll.objects.get(pk=poll.pk)
    _require_closed(current)
    try:
        totals = poll_totals_verified(poll=current)
    except TotalsMismatch as exc:
        raise PollStateError(
            f"{current}: the running totals differ from a recount of the signed votes ({exc}). "
            f"Run `manage.py poll_recount {current.pk} --repair`, then finalize again."
        ) from exc
    with transaction.atomic():
        started = time.monotonic()
        locked = Poll.objects.select_for_update().get(pk=poll.pk)
        _require_closed(locked)
        result = poll_result_compute(poll=locked, totals=totals)
        _result_freeze(poll=locked, result=result, now=now)
        poll_tally_fold(poll=locked)  # the last pending changes, into the final totals
        if locked.is_proposal_vote:
            from governance.services.proposals import proposal_outcome_record

            proposal_outcome_record(poll=locked, result=result)
        else:
            _outcomes_record(poll=locked, result=result)
        held = time.monotonic() - started
    logger.info("Finalized %s; its row was locked for %.1f ms.", locked, held * 1000)
    poll.status = locked.status
    return result


def _require_closed(poll: Poll) -> None:
    if poll.status != PollStatus.CLOSED:
        raise PollStateError(
            f"{poll} is {poll.get_status_display().lower()}; only a closed poll can be finalized."
        )


def _result_freeze(*, poll: Poll, result: PollResult, now: datetime) -> None:
    """Write the result onto the poll's choices and the poll, rounded as shown (HBOT to
    18 decimals, shares to 6)."""
    decimals = 10**settings.HBOT_DECIMALS
    for item in result.choices:
        choice = item.choice
        choice.final_score = decimal_round(item.score / decimals, SCORE_QUANTUM)
        choice.final_share = decimal_round(item.share, SHARE_QUANTUM)
        choice.final_rank = item.rank
        choice.passed = item.passed
        choice.failure_reason = item.failure_reason
        choice.allocation_hbot = item.allocation_hbot
        choice.tier = item.tier
    Choice.objects.bulk_update(
        [item.choice for item in result.choices],
        [
            "final_score",
            "final_share",
            "final_rank",
            "passed",
            "failure_reason",
            "allocation_hbot",
            "tier",
        ],
    )
    poll.status = PollStatus.FINALIZED
    poll.finalized_at = now
    poll.voter_count = result.voter_count
    poll.total_power = result.total_power
    poll.save(update_fields=["status", "finalized_at", "voter_count", "total_power", "updated_at"])


def _outcomes_record(*, poll: Poll, result: PollResult) -> None:
    reference = poll.reference or f"poll {poll.pk}"
    for item in result.choices:
        choice = item.choice
        if item.allocation_hbot:
            PotCredit.objects.create(
                exchange=choice.exchange,
                connector=choice.connector,
                chain=choice.chain,
                label=choice.label,
                amount_hbot=item.allocation_hbot,
                poll=poll,
                choice=choice,
            )
        if item.passed or poll.unit == PollUnit.CHAIN:
            continue
        for connector in connectors_decided_by(
            kind=poll.kind, exchange=choice.exchange, connector=choice.connector
        ):
            InclusionDecision.objects.get_or_create(
                connector=connector,
                poll=poll,
                action=InclusionAction.REMOVE,
                defaults={"reason": f"{reference}: {choice.label}: {item.failure_reason}"},
            )


@dataclass
class AdvanceReport:
    opened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)
    finalized: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def polls_advance(
    *, now: datetime | None = None, reader: BalanceReader | None = None
) -> AdvanceReport:
    """Move every poll whose time has come: open due drafts, close ended polls, finalize
    polls closed longer than the audit window. One poll's failure never stops the others."""
    now = now or timezone.now()
    report = AdvanceReport()
    due_open = Poll.objects.filter(status=PollStatus.DRAFT, starts_at__lte=now, is_archived=False)
    for poll in due_open:
        try:
            poll_open(poll=poll, reader=reader, now=now)
            report.opened.append(poll.pk)
        except GovernanceError as exc:
            logger.warning("Could not open %s: %s", poll, exc.message)
            report.failed[poll.pk] = exc.message
    for poll in Poll.objects.filter(status=PollStatus.ACTIVE, ends_at__lte=now):
        if poll_close(poll=poll, now=now):
            report.closed.append(poll.pk)
    window = timedelta(hours=settings.POLL_FINALIZE_AFTER_HOURS)
    for poll in Poll.objects.filter(status=PollStatus.CLOSED, closed_at__lte=now - window):
        try:
            poll_finalize(poll=poll, now=now)
            report.finalized.append(poll.pk)
        except GovernanceError as exc:
            logger.warning("Could not finalize %s: %s", poll, exc.message)
            report.failed[poll.pk] = exc.message
    return report
