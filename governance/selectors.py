"""Reads of the governance app."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connections, router
from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Length
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from connectors_registry.models import Connector, Exchange
from core.text import is_ascii_digits
from governance.balance_snapshots import balance_get
from governance.chain.balances import BalanceReader
from governance.chain.errors import ChainError
from governance.choices import KIND_CONNECTORS
from governance.extension_points import VoterProfile, VoterProfilesQuery, voter_profiles
from governance.models import (
    Choice,
    DecisionStatus,
    Epoch,
    GovernanceRules,
    InclusionDecision,
    Poll,
    PollKind,
    PollStatus,
    PollTally,
    PollTallyDelta,
    Proposal,
    ProposalRule,
    ProposalType,
    Vote,
    Wallet,
)
from governance.results import PollResult, poll_result_compute, poll_threshold_hbot
from governance.tally import Ballot, Totals
from governance.units import SCORE_QUANTUM, SHARE_QUANTUM, decimal_round, token_amount

RECOUNT_CHUNK = 2000


def wallet_for_user(*, user: AbstractBaseUser | AnonymousUser) -> Wallet | None:
    """The wallet the user signed in with, if any."""
    return Wallet.objects.filter(user_id=user.pk).first() if user.is_authenticated else None


@dataclass(frozen=True)
class VotingPower:
    wallet: Wallet | None
    block: int | None = None
    balance: int | None = None
    chain_id: int | None = None
    token_address: str = ""
    error: str = ""


def voting_power_for_user(
    *, user: AbstractBaseUser | AnonymousUser, reader: BalanceReader | None = None
) -> VotingPower:
    """The user's HBOT balance at the latest final block, or why it cannot be read now."""
    wallet = wallet_for_user(user=user)
    if wallet is None:
        return VotingPower(wallet=None)
    reader = reader or BalanceReader.from_settings()
    try:
        reader.check_chain()
        block = reader.latest_final_block()
        balance = balance_get(address=wallet.address, block=block, reader=reader)
    except ChainError as exc:
        return VotingPower(wallet=wallet, token_address=reader.token_address, error=str(exc))
    return VotingPower(
        wallet=wallet,
        block=block,
        balance=balance,
        chain_id=reader.chain_id,
        token_address=reader.token_address,
    )


# --- governance pages: epochs, rules, polls, proposals, results -------------------------

PROPOSAL_STAGES = ("discussion", "voting", "closed", "outcome")
WINNERS_SHOWN = 4


def epoch_list() -> QuerySet[Epoch]:
    """Every epoch, newest first, with its rules and its polls (connector polls first)."""
    polls = Poll.objects.order_by("kind", "id")
    return Epoch.objects.select_related("rules").prefetch_related(Prefetch("polls", polls))


def epoch_get(*, number: int) -> Epoch:
    return get_object_or_404(epoch_list(), number=number)


def epoch_neighbours(*, epoch: Epoch) -> tuple[Epoch | None, Epoch | None]:
    """The epochs just before and just after ``epoch``."""
    before = Epoch.objects.filter(number__lt=epoch.number).order_by("-number").first()
    after = Epoch.objects.filter(number__gt=epoch.number).order_by("number").first()
    return before, after


def epoch_polls_with_choices(*, epoch: Epoch) -> list[Poll]:
    """The epoch's polls with their choices (and what each choice stands for)."""
    return list(
        Poll.objects.filter(epoch=epoch)
        .select_related("rules", "proposal")
        .prefetch_related(Prefetch("choices", _choices_queryset()))
        .order_by("kind", "id")
    )


def rules_list() -> QuerySet[GovernanceRules]:
    """Every rules version, newest first, with its proposal types and epochs."""
    return GovernanceRules.objects.prefetch_related(
        Prefetch("proposal_rules", ProposalRule.objects.order_by("proposal_type")),
        Prefetch("epochs", Epoch.objects.order_by("number")),
    )


def rules_get(*, slug: str) -> GovernanceRules:
    return get_object_or_404(rules_list(), slug=slug)


def rules_current(*, on: date | datetime | None = None) -> GovernanceRules | None:
    """The newest rules version effective on ``on`` (a day, or a moment's day; default now),
    with its proposal types."""
    moment = on or timezone.now()
    day = moment.date() if isinstance(moment, datetime) else moment
    return rules_list().filter(effective_from__lte=day).first()


def _choices_queryset() -> QuerySet[Choice]:
    return Choice.objects.select_related("exchange", "connector", "chain").order_by("position")


def poll_get(*, pk: int) -> Poll:
    """A poll with its epoch, rules, proposal and choices, ready for the poll page."""
    queryset = Poll.objects.select_related("epoch", "rules", "proposal", "tally").prefetch_related(
        Prefetch("choices", _choices_queryset())
    )
    return get_object_or_404(queryset, pk=pk)


@dataclass(frozen=True)
class PollSections:
    """The poll list: ``results`` holds the result of every active and recent poll (by
    id), for its turnout and leader, or its outcome."""

    active: list[Poll]
    upcoming: list[Poll]
    recent: list[Poll]
    results: dict[int, PollResults] = field(default_factory=dict)

    @property
    def active_results(self) -> list[PollResults]:
        return [self.results[poll.pk] for poll in self.active]

    @property
    def recent_results(self) -> list[PollResults]:
        return [self.results[poll.pk] for poll in self.recent]


def poll_sections(*, recent_limit: int = 30) -> PollSections:
    """Polls for the poll list: voting now (with turnout and leader), opening later, then
    the most recent results (with their outcome). A fixed number of queries whatever the
    number of polls, choices or votes: live results come from the running totals of every
    listed poll, read at once."""
    base = Poll.objects.select_related("epoch", "rules").exclude(kind=PollKind.PROPOSAL)
    with_choices = base.prefetch_related(Prefetch("choices", _choices_queryset()))
    active = list(with_choices.filter(status=PollStatus.ACTIVE).order_by("ends_at", "id"))
    upcoming = list(
        base.filter(status=PollStatus.DRAFT).order_by(F("starts_at").asc(nulls_last=True), "id")
    )
    recent = list(
        with_choices.filter(status__in=[PollStatus.CLOSED, PollStatus.FINALIZED]).order_by(
            F("epoch__number").desc(nulls_last=True),
            F("closed_at").desc(nulls_last=True),
            "kind",
            "-id",
        )[:recent_limit]
    )
    live = [poll for poll in [*active, *recent] if _is_live(poll)]
    totals = poll_totals_many(polls=live)
    results = {
        poll.pk: poll_results(poll=poll, totals=totals.get(poll.pk)) for poll in [*active, *recent]
    }
    return PollSections(active=active, upcoming=upcoming, recent=recent, results=results)


def _is_live(poll: Poll) -> bool:
    """Counted from its running totals (voting, or closed and not yet finalized)."""
    return poll.status in (PollStatus.ACTIVE, PollStatus.CLOSED) and not poll.is_archived


@dataclass(frozen=True)
class ResultRow:
    """One choice's line in a result, whichever way it was obtained."""

    choice: Choice
    rank: int | None = None
    score_hbot: Decimal | None = None
    votes_display: str = ""
    share: Decimal | None = None  # percent of all votes
    passed: bool | None = None
    failure_reason: str = ""
    allocation_hbot: int | None = None
    tier: str = ""
    bar_percent: float = 0.0  # bar length on the poll's scale (0-100)
    # The failure reason, shown beside the bar when the threshold line does not already
    # explain it (e.g. Epoch 12's lowest-ranked removals).
    failure_note: str = ""

    @property
    def url(self) -> str:
        return choice_url(self.choice)


@dataclass(frozen=True)
class ProposalTally:
    """Quorum and approval of a proposal vote (For / Against / Abstain)."""

    quorum_hbot: int
    turnout_hbot: Decimal
    approval_percent: Decimal
    for_percent: Decimal | None  # For / (For + Against), percent; None without decisive votes

    @property
    def quorum_progress(self) -> float:
        if not self.quorum_hbot:
            return 100.0
        return min(100.0, float(self.turnout_hbot / self.quorum_hbot * 100))

    @property
    def quorum_reached(self) -> bool:
        return self.turnout_hbot >= self.quorum_hbot and self.turnout_hbot > 0

    @property
    def approved(self) -> bool:
        return self.for_percent is not None and self.for_percent > self.approval_percent

    @property
    def passing(self) -> bool:
        return self.quorum_reached and self.approved


@dataclass(frozen=True)
class PollResults:
    """A poll's result for display, download and audit: live while voting, frozen once
    final, as published for an archived poll, or recounted by an audit.

    ``source`` is ``live`` (from the running totals of the counted votes), ``final`` (frozen
    at finalization), ``published`` (an archived result), ``recount`` (an audit's) or
    ``none`` (a draft). Scores are HBOT to 18 decimals and shares percent to 6, rounded
    the same way whichever the source, so a live result and the frozen one read alike.
    """

    poll: Poll
    source: str
    rows: list[ResultRow]  # by rank
    voter_count: int | None
    total_power: int | None  # base units; None for an archived result
    total_power_hbot: Decimal | None
    threshold_hbot: int
    threshold_percent: float | None  # where the threshold line sits on the bar scale
    proposal: ProposalTally | None = None

    @property
    def has_scores(self) -> bool:
        return any(row.score_hbot for row in self.rows)

    @property
    def has_allocations(self) -> bool:
        return any(row.allocation_hbot for row in self.rows)

    @property
    def has_tiers(self) -> bool:
        return any(row.tier for row in self.rows)

    @property
    def winners(self) -> list[ResultRow]:
        """Who came out on top: the choices given an allocation, else the top four passing."""
        funded = [row for row in self.rows if row.allocation_hbot]
        return funded or [row for row in self.rows if row.passed is not False][:WINNERS_SHOWN]

    @property
    def failures(self) -> list[ResultRow]:
        return [row for row in self.rows if row.passed is False]

    @property
    def included(self) -> list[ResultRow]:
        return [row for row in self.rows if row.passed is True]

    @property
    def leader(self) -> ResultRow | None:
        """The choice ranked first, once it has votes (None before any vote counts); in a
        published result, the one ranked first even where no figures were published."""
        top = self.rows[0] if self.rows else None
        if top is None:
            return None
        if top.score_hbot or top.share or top.votes_display:
            return top
        return top if self.source == "published" and top.rank == 1 else None

    @property
    def others_included(self) -> int:
        """Passing choices not among the winners."""
        winners = {row.choice.pk for row in self.winners}
        return sum(1 for row in self.rows if row.passed and row.choice.pk not in winners)

    def as_json(self) -> dict[str, Any]:
        return {
            "poll": self.poll.pk,
            "status": self.poll.status,
            "source": self.source,
            "voter_count": self.voter_count,
            "total_power_hbot": _decimal_text(self.total_power_hbot),
            "threshold_hbot": self.threshold_hbot,
            "threshold_percent": self.threshold_percent,
            "choices": [
                {
                    "position": row.choice.position,
                    "label": row.choice.label,
                    "rank": row.rank,
                    "score_hbot": _decimal_text(row.score_hbot),
                    "share": _decimal_text(row.share),
                    "passed": row.passed,
                    "failure_reason": row.failure_reason,
                    "allocation_hbot": row.allocation_hbot,
                    "tier": row.tier,
                    "bar_percent": row.bar_percent,
                }
                for row in self.rows
            ],
            "proposal": None
            if self.proposal is None
            else {
                "quorum_hbot": self.proposal.quorum_hbot,
                "turnout_hbot": _decimal_text(self.proposal.turnout_hbot),
                "quorum_progress": self.proposal.quorum_progress,
                "quorum_reached": self.proposal.quorum_reached,
                "approval_percent": _decimal_text(self.proposal.approval_percent),
                "for_percent": _decimal_text(self.proposal.for_percent),
                "passing": self.proposal.passing,
            },
        }


def _decimal_text(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def choice_url(choice: Choice) -> str:
    """The registry page a choice stands for, if any (chains have none)."""
    if choice.connector_id is not None and choice.connector is not None:
        return choice.connector.get_absolute_url()
    if choice.exchange_id is not None and choice.exchange is not None:
        return choice.exchange.get_absolute_url()
    return ""


def poll_results(*, poll: Poll, totals: Totals | None = None) -> PollResults:
    """The result to show for ``poll``; pass a poll from ``poll_get`` (choices prefetched).

    Active and closed polls are computed from their running totals (or from ``totals``,
    e.g. an export's recount at its cut) under the rules the poll copied: a read of one row,
    whatever the number of votes. Finalized polls show what was frozen; archived ones, what
    was published; a draft has no result yet.
    """
    if _is_live(poll):
        computed = poll_result_compute(
            poll=poll, totals=totals if totals is not None else poll_totals(poll=poll)
        )
        return results_from_computed(computed, source="live")
    rules = poll.rules_in_effect
    if poll.status != PollStatus.FINALIZED:
        return _results_build(
            poll=poll,
            source="none",
            rows=[ResultRow(choice=c) for c in poll.choices.all()],
            voter_count=None,
            total_power=None,
            total_power_hbot=None,
            threshold=poll_threshold_hbot(rules),
            rules=rules,
        )
    total_power = None if poll.total_power is None else int(poll.total_power)
    ordered = sorted(
        poll.choices.all(), key=lambda c: (c.final_rank is None, c.final_rank or 0, c.position)
    )
    return _results_build(
        poll=poll,
        source="published" if poll.is_archived else "final",
        rows=[
            ResultRow(
                choice=c,
                rank=c.final_rank,
                score_hbot=c.final_score,
                votes_display=c.votes_display,
                share=c.final_share,
                passed=c.passed,
                failure_reason=c.failure_reason,
                allocation_hbot=c.allocation_hbot,
                tier=c.tier,
            )
            for c in ordered
        ],
        voter_count=poll.voter_count,
        total_power=total_power,
        total_power_hbot=poll.published_total_votes
        if poll.is_archived
        else (None if total_power is None else _hbot(total_power)),
        threshold=poll_threshold_hbot(rules),
        rules=rules,
    )


def results_from_computed(computed: PollResult, *, source: str) -> PollResults:
    """A computed result (exact) as shown: rounded as ``poll_finalize`` freezes it."""
    decimals = 10**settings.HBOT_DECIMALS
    rules = computed.poll.rules_in_effect
    return _results_build(
        poll=computed.poll,
        source=source,
        rows=[
            ResultRow(
                choice=item.choice,
                rank=item.rank,
                score_hbot=decimal_round(item.score / decimals, SCORE_QUANTUM),
                share=decimal_round(item.share, SHARE_QUANTUM),
                passed=item.passed,
                failure_reason=item.failure_reason,
                allocation_hbot=item.allocation_hbot,
                tier=item.tier,
            )
            for item in computed.choices
        ],
        voter_count=computed.voter_count,
        total_power=computed.total_power,
        total_power_hbot=_hbot(computed.total_power),
        threshold=computed.threshold_hbot,
        rules=rules,
    )


def _hbot(base_units: int) -> Decimal:
    return Decimal(token_amount(base_units, settings.HBOT_DECIMALS))


def poll_totals(*, poll: Poll) -> Totals:
    """The poll's running totals: its stored row and the changes of the votes not yet
    folded into it, read in one statement (so a fold in between is never half seen). A poll
    with no stored totals yet is recounted in memory; voting never writes them for it
    (``poll_tally_ensure`` does)."""
    return poll_totals_many(polls=[poll])[poll.pk]


def poll_totals_many(*, polls: Sequence[Poll]) -> dict[int, Totals]:
    """``poll_totals`` of each of ``polls`` (by id) in one statement, plus one recount
    read shared by the polls with no stored totals, if any: a fixed number of queries for a
    whole list of polls."""
    if not polls:
        return {}
    ids = [poll.pk for poll in polls]
    stored = PollTally.objects.filter(poll_id__in=ids).annotate(pending=Value(False))
    changes = PollTallyDelta.objects.filter(poll_id__in=ids).annotate(pending=Value(True))
    rows = list(
        stored.values_list("pending", "poll_id", "totals").union(
            changes.values_list("pending", "poll_id", "totals"), all=True
        )
    )
    methods = {poll.pk: poll.voting_method for poll in polls}
    totals = {
        poll_id: Totals.from_json(method=methods[poll_id], data=data)
        for pending, poll_id, data in rows
        if not pending
    }
    for pending, poll_id, data in rows:
        if pending and poll_id in totals:
            totals[poll_id].merge(Totals.from_json(method=methods[poll_id], data=data))
    missing = [poll for poll in polls if poll.pk not in totals]
    if missing:
        totals.update(_totals_recount_many(polls=missing))
    return totals


def _totals_recount_many(*, polls: Sequence[Poll]) -> dict[int, Totals]:
    totals = {poll.pk: Totals(method=poll.voting_method) for poll in polls}
    rows = (
        Vote.objects.filter(poll_id__in=list(totals), is_current=True)
        .order_by()
        .values_list("poll_id", "weights", "voting_power")
        .iterator(chunk_size=RECOUNT_CHUNK)
    )
    for poll_id, weights, power in rows:
        totals[poll_id].add(Ballot.stored(power=power, weights=weights))
    return totals


def counted_ballots(*, poll: Poll) -> Iterator[Ballot]:
    """The ballots of the poll's counted votes, read in chunks (weights and power only)."""
    rows = (
        Vote.objects.filter(poll_id=poll.pk, is_current=True)
        .order_by()
        .values_list("weights", "voting_power")
        .iterator(chunk_size=RECOUNT_CHUNK)
    )
    for weights, power in rows:
        yield Ballot.stored(power=power, weights=weights)


def poll_totals_recount(*, poll: Poll) -> Totals:
    """The totals of ``poll`` recounted from its counted votes."""
    totals = Totals(method=poll.voting_method)
    for ballot in counted_ballots(poll=poll):
        totals.add(ballot)
    return totals


def _results_build(
    *,
    poll: Poll,
    source: str,
    rows: list[ResultRow],
    voter_count: int | None,
    total_power: int | None,
    total_power_hbot: Decimal | None,
    threshold: int,
    rules: dict[str, Any],
) -> PollResults:
    """Set the bar lengths: shares for a proposal vote; otherwise scores on a scale that
    reaches the largest score or the threshold, whichever is higher, so the threshold line
    always sits on the chart."""
    scores = [row.score_hbot for row in rows if row.score_hbot is not None]
    scale = max([*scores, Decimal(threshold)], default=Decimal(0))
    with_bars = []
    for row in rows:
        if poll.is_proposal_vote:
            bar = float(row.share or 0)
        elif row.score_hbot is not None and scale:
            bar = float(row.score_hbot / scale * 100)
        else:
            bar = 0.0
        below_line = row.score_hbot is None or (threshold and row.score_hbot < threshold)
        note = row.failure_reason if row.passed is False and not below_line else ""
        with_bars.append(replace(row, bar_percent=round(min(100.0, bar), 3), failure_note=note))
    threshold_percent = (
        round(float(Decimal(threshold) / scale * 100), 3)
        if threshold and scale and not poll.is_proposal_vote and source != "none"
        else None
    )
    tally = (
        _proposal_tally(rows=with_bars, rules=rules)
        if poll.is_proposal_vote and source != "none"
        else None
    )
    return PollResults(
        poll=poll,
        source=source,
        rows=with_bars,
        voter_count=voter_count,
        total_power=total_power,
        total_power_hbot=total_power_hbot,
        threshold_hbot=threshold,
        threshold_percent=threshold_percent,
        proposal=tally,
    )


def _proposal_tally(*, rules: dict[str, Any], rows: list[ResultRow]) -> ProposalTally:
    scores = {row.choice.label: row.score_hbot or Decimal(0) for row in rows}
    votes_for, against = scores.get("For", Decimal(0)), scores.get("Against", Decimal(0))
    decisive = votes_for + against
    return ProposalTally(
        quorum_hbot=int(str(rules.get("quorum_hbot") or 0)),
        turnout_hbot=sum(scores.values(), Decimal(0)),
        approval_percent=Decimal(str(rules.get("approval_percent") or "50")),
        for_percent=(votes_for / decisive * 100) if decisive else None,
    )


# --- the signed-in holder on a poll ---------------------------------------------------


@dataclass(frozen=True)
class VoteLine:
    label: str
    weight: int
    share: Decimal  # percent of the voter's power


@dataclass(frozen=True)
class HolderOnPoll:
    """A signed-in holder's standing in one poll: their counted vote and their power."""

    poll: Poll
    wallet: Wallet | None
    vote: Vote | None = None
    lines: tuple[VoteLine, ...] = ()
    balance: int | None = None  # base units at the snapshot block
    error: str = ""

    @property
    def has_voted(self) -> bool:
        return self.vote is not None

    @property
    def chosen_positions(self) -> frozenset[int]:
        """The choices the counted vote gives weight (For / Against / Abstain on proposals)."""
        if self.vote is None:
            return frozenset()
        return frozenset(int(c) for c, w in self.vote.weights if int(w) > 0)


def holder_on_poll(
    *,
    poll: Poll,
    user: AbstractBaseUser | AnonymousUser,
    reader: BalanceReader | None = None,
    read_balance: bool = True,
) -> HolderOnPoll:
    """The user's wallet, current vote and HBOT at the poll's snapshot block (if fixed)."""
    wallet = wallet_for_user(user=user)
    if wallet is None:
        return HolderOnPoll(poll=poll, wallet=None)
    vote = (
        Vote.objects.filter(poll=poll, voter=wallet.address, is_current=True)
        .order_by("-id")
        .first()
    )
    lines = vote_lines(poll=poll, vote=vote) if vote is not None else ()
    if not read_balance or poll.snapshot_block is None or poll.is_archived:
        return HolderOnPoll(poll=poll, wallet=wallet, vote=vote, lines=lines)
    balance, error = snapshot_balance(poll=poll, address=wallet.address, reader=reader)
    return HolderOnPoll(
        poll=poll, wallet=wallet, vote=vote, lines=lines, balance=balance, error=error
    )


def vote_lines(*, poll: Poll, vote: Vote) -> tuple[VoteLine, ...]:
    """A vote's weights as choice labels and shares of the voter's power."""
    labels = {c.position: c.label for c in poll.choices.all()}
    pairs = [(int(c), int(w)) for c, w in vote.weights]
    total = sum(w for _, w in pairs) or 1
    return tuple(
        VoteLine(
            label=labels.get(c, f"Choice {c}"),
            weight=w,
            share=Decimal(w * 100) / Decimal(total),
        )
        for c, w in pairs
    )


def snapshot_balance(
    *, poll: Poll, address: str, reader: BalanceReader | None = None
) -> tuple[int | None, str]:
    """``address``'s HBOT at the poll's snapshot block on the poll's chain and token, or
    why it cannot be read now. Cached: a block's balance never changes."""
    if poll.snapshot_block is None:
        return None, "This poll has no snapshot block yet; it is fixed when the poll opens."
    try:
        reader = reader or BalanceReader.from_settings(
            chain_id=poll.chain_id, token_address=poll.token_address or None
        )
        return balance_get(address=address, block=poll.snapshot_block, reader=reader), ""
    except ChainError as exc:
        return None, str(exc)


def active_polls_for_user(
    *, user: AbstractBaseUser | AnonymousUser, reader: BalanceReader | None = None
) -> list[HolderOnPoll]:
    """Every poll open for votes, with the user's HBOT at its snapshot block and whether
    they have voted. Votes are read in one query; balances are cached per block."""
    wallet = wallet_for_user(user=user)
    polls = list(
        Poll.objects.filter(status=PollStatus.ACTIVE, is_archived=False)
        .select_related("epoch", "proposal")
        .prefetch_related(Prefetch("choices", _choices_queryset()))
        .order_by("ends_at", "id")
    )
    if wallet is None:
        return [HolderOnPoll(poll=poll, wallet=None) for poll in polls]
    votes = {
        vote.poll_id: vote
        for vote in Vote.objects.filter(poll__in=polls, voter=wallet.address, is_current=True)
    }
    standings = []
    for poll in polls:
        vote = votes.get(poll.pk)
        balance, error = snapshot_balance(poll=poll, address=wallet.address, reader=reader)
        standings.append(
            HolderOnPoll(
                poll=poll,
                wallet=wallet,
                vote=vote,
                lines=vote_lines(poll=poll, vote=vote) if vote is not None else (),
                balance=balance,
                error=error,
            )
        )
    return standings


# --- a poll's votes, voter by voter -----------------------------------------------------

VOTERS_PER_PAGE = 25
CHOICES_SHOWN_PER_VOTER = 3


class VoterCursorInvalid(ValueError):
    """An ``after`` position in the list of votes that is not ``<power>.<vote id>``."""


@dataclass(frozen=True)
class VoterCursor:
    """Where a page of votes ends: the last vote's power (base units) and id. The next page
    starts strictly after it in the list's order (power, then id, both descending), so a
    vote arriving meanwhile never shifts a page."""

    power: int
    vote_id: int

    def __str__(self) -> str:
        return f"{self.power}.{self.vote_id}"

    @classmethod
    def parse(cls, text: str) -> VoterCursor:
        power, dot, vote_id = text.partition(".")
        if not (dot and is_ascii_digits(power) and is_ascii_digits(vote_id)) or len(text) > 100:
            raise VoterCursorInvalid(
                f"The position in the list of votes must look like <power>.<vote id>, "
                f"as the 'Show more' link gives it, not {text[:100]!r}."
            )
        return cls(power=int(power), vote_id=int(vote_id))


@dataclass(frozen=True)
class VoterRow:
    """One counted vote in a poll's list of votes."""

    address: str
    power: int  # base units at the snapshot block
    lines: tuple[VoteLine, ...]  # largest share first
    received_at: datetime
    is_you: bool = False
    profile: VoterProfile | None = None

    @property
    def short_address(self) -> str:
        return f"{self.address[:6]}…{self.address[-4:]}"

    @property
    def power_hbot(self) -> Decimal:
        return _hbot(self.power)

    @property
    def lines_shown(self) -> tuple[VoteLine, ...]:
        return self.lines[:CHOICES_SHOWN_PER_VOTER]

    @property
    def lines_more(self) -> tuple[VoteLine, ...]:
        return self.lines[CHOICES_SHOWN_PER_VOTER:]


@dataclass(frozen=True)
class PollVoters:
    """A page of a poll's counted votes, by voting power; ``you`` (the viewer's own
    vote) comes first on the first page and is left out of the others."""

    poll: Poll
    rows: list[VoterRow]
    you: VoterRow | None = None
    after: VoterCursor | None = None
    next: VoterCursor | None = None

    @property
    def all_rows(self) -> list[VoterRow]:
        return [self.you, *self.rows] if self.you is not None else self.rows

    def as_json(self) -> list[dict[str, Any]]:
        return [
            {
                "voter": row.address,
                "you": row.is_you,
                "voting_power": str(row.power),
                "voting_power_hbot": _decimal_text(row.power_hbot),
                "choices": [
                    {
                        "label": line.label,
                        "weight": line.weight,
                        "share": _decimal_text(line.share.quantize(SHARE_QUANTUM)),
                    }
                    for line in row.lines
                ],
            }
            for row in self.all_rows
        ]


def poll_lists_votes(*, poll: Poll) -> bool:
    """Whether ``poll`` has signed votes to list: not a draft, nor an archived result (its
    votes were cast before this site existed)."""
    return not poll.is_archived and poll.status != PollStatus.DRAFT


_VOTER_FIELDS = ("id", "poll_id", "voter", "weights", "voting_power", "received_at")


def poll_voters(
    *,
    poll: Poll,
    after: VoterCursor | None = None,
    you: str | None = None,
    limit: int = VOTERS_PER_PAGE,
) -> PollVoters:
    """A page of ``poll``'s counted votes (superseded ones are not listed), the largest
    voting power first; pass a poll from ``poll_get`` (choices prefetched).

    ``you`` is the viewer's address: their vote comes first on the first page, marked,
    and is not repeated below. A fixed number of queries whatever the number of votes: the
    page, read with a limit along an index in the list's order; the viewer's vote (first
    page only); and one question per ``voter_profiles`` provider (who the voters are).
    """
    counted = Vote.objects.filter(poll_id=poll.pk, is_current=True).only(*_VOTER_FIELDS)
    page = _by_power_desc(counted.exclude(voter=you) if you else counted)
    if after is not None:
        page = page.filter(_after_cursor(after))
    votes = list(page[: limit + 1])
    more, votes = len(votes) > limit, votes[:limit]
    first_page = after is None
    your_vote = counted.filter(voter=you).order_by("-id").first() if you and first_page else None
    listed = [*([your_vote] if your_vote is not None else []), *votes]
    profiles = _voter_profiles(vote.voter for vote in listed)

    def row(vote: Vote, *, is_you: bool = False) -> VoterRow:
        lines = sorted(
            (line for line in vote_lines(poll=poll, vote=vote) if line.weight),
            key=lambda line: -line.weight,
        )
        return VoterRow(
            address=vote.voter,
            power=int(vote.voting_power),
            lines=tuple(lines),
            received_at=vote.received_at,
            is_you=is_you,
            profile=profiles.get(vote.voter.lower()),
        )

    last = votes[-1] if votes else None
    return PollVoters(
        poll=poll,
        rows=[row(vote) for vote in votes],
        you=row(your_vote, is_you=True) if your_vote is not None else None,
        after=after,
        next=VoterCursor(power=int(last.voting_power), vote_id=last.pk) if more and last else None,
    )


def _power_is_text() -> bool:
    """``Uint256Field`` is NUMERIC on PostgreSQL and decimal text elsewhere (SQLite), where
    a longer number is the larger one and equal lengths compare as text."""
    return connections[router.db_for_read(Vote)].vendor != "postgresql"


def _by_power_desc(queryset: QuerySet[Vote]) -> QuerySet[Vote]:
    if _power_is_text():
        return queryset.alias(power_digits=Length("voting_power")).order_by(
            "-power_digits", "-voting_power", "-id"
        )
    return queryset.order_by("-voting_power", "-id")


def _after_cursor(cursor: VoterCursor) -> Q:
    """Votes strictly after ``cursor`` in the order of ``_by_power_desc``."""
    same_power = Q(voting_power=cursor.power, id__lt=cursor.vote_id)
    if not _power_is_text():
        # The first condition bounds the index scan; the second picks among equal powers.
        return Q(voting_power__lte=cursor.power) & (Q(voting_power__lt=cursor.power) | same_power)
    digits = len(str(cursor.power))
    return (
        Q(power_digits__lt=digits)
        | Q(power_digits=digits, voting_power__lt=cursor.power)
        | same_power
    )


def _voter_profiles(addresses: Iterable[str]) -> dict[str, VoterProfile]:
    """Who the voters are, where another app knows (lower-case address -> profile)."""
    wanted = frozenset(address.lower() for address in addresses)
    if not wanted:
        return {}
    profiles: dict[str, VoterProfile] = {}
    for answer in voter_profiles.collect(VoterProfilesQuery(addresses=wanted)):
        for address, profile in answer.items():
            if address in wanted:
                profiles.setdefault(address, profile)
    return profiles


# --- proposals ----------------------------------------------------------------------------


def proposal_stage(proposal: Proposal) -> str:
    """Where a proposal stands: discussion, voting, closed (tally pending) or outcome."""
    poll = proposal.poll
    if proposal.outcome or (poll is not None and poll.status == PollStatus.FINALIZED):
        return "outcome"
    if poll is None or poll.status == PollStatus.DRAFT:
        return "discussion"
    if poll.status == PollStatus.ACTIVE:
        return "voting"
    return "closed"


_STAGE_FILTERS: dict[str, Q] = {
    "outcome": ~Q(outcome="") | Q(poll__status=PollStatus.FINALIZED),
    "discussion": Q(outcome="") & (Q(poll__isnull=True) | Q(poll__status=PollStatus.DRAFT)),
    "voting": Q(outcome="", poll__status=PollStatus.ACTIVE),
    "closed": Q(outcome="", poll__status=PollStatus.CLOSED),
}


def proposal_list(*, stage: str | None = None) -> QuerySet[Proposal]:
    """Proposals newest first, optionally only those at one stage."""
    queryset = Proposal.objects.select_related("poll", "connector", "exchange", "rules")
    if stage:
        if stage not in _STAGE_FILTERS:
            raise ValueError(f"Unknown stage {stage!r}; use one of {', '.join(PROPOSAL_STAGES)}.")
        queryset = queryset.filter(_STAGE_FILTERS[stage])
    return queryset


def proposal_get(*, reference: str) -> Proposal:
    """A proposal by its reference, e.g. ``HGP-101`` (404 for anything else)."""
    kind, _, number = reference.partition("-")
    if kind not in ProposalType.values or not is_ascii_digits(number):
        raise Http404(f"No proposal {reference}.")
    queryset = Proposal.objects.select_related(
        "poll", "poll__epoch", "connector", "connector__exchange", "exchange", "rules"
    ).prefetch_related(Prefetch("poll__choices", _choices_queryset()))
    return get_object_or_404(queryset, proposal_type=kind, number=int(number))


@dataclass(frozen=True)
class ProposalFormOptions:
    """What the new-proposal form offers under the rules in force."""

    rules: GovernanceRules | None
    proposal_rules: list[ProposalRule]
    connectors: list[Connector]
    exchanges: list[Exchange]


def proposal_form_options() -> ProposalFormOptions:
    rules = rules_current()
    return ProposalFormOptions(
        rules=rules,
        proposal_rules=list(rules.proposal_rules.all()) if rules else [],
        connectors=list(Connector.objects.select_related("exchange")),
        exchanges=list(Exchange.objects.order_by("name")),
    )


# --- results history and the connector page's poll history -------------------------------


@dataclass(frozen=True)
class ResultsFilter:
    kinds: list[tuple[str, str]]
    epochs: list[int]


def results_history(*, kind: str | None = None, epoch: int | None = None) -> list[Poll]:
    """Finalized and archived polls by epoch (newest first) and kind, choices by rank."""
    choices = _choices_queryset().order_by(F("final_rank").asc(nulls_last=True), "position")
    queryset = (
        Poll.objects.filter(status=PollStatus.FINALIZED)
        .select_related("epoch", "proposal")
        .prefetch_related(Prefetch("choices", choices))
        .order_by(F("epoch__number").desc(nulls_last=True), "kind", "-id")
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    if epoch is not None:
        queryset = queryset.filter(epoch__number=epoch)
    return list(queryset)


def results_filter_options() -> ResultsFilter:
    kinds = set(Poll.objects.filter(status=PollStatus.FINALIZED).values_list("kind", flat=True))
    epochs = Epoch.objects.filter(polls__status=PollStatus.FINALIZED).values_list(
        "number", flat=True
    )
    return ResultsFilter(
        kinds=[(value, label) for value, label in PollKind.choices if value in kinds],
        epochs=sorted(set(epochs), reverse=True),
    )


@dataclass(frozen=True)
class PollHistory:
    choices: list[Choice]  # each with .poll and .poll.epoch loaded
    pending_decisions: list[InclusionDecision]


def connector_poll_history(*, connector: Connector) -> PollHistory:
    """Every poll that voted on ``connector`` itself or on its exchange (for the poll kinds
    that cover its type), newest first, and its pending additions or removals.

    Three queries whatever the number of polls: which poll kinds cover the connector's
    type, the choices with their polls, the pending decisions.
    """
    covered = connector_poll_kinds(connector=connector)
    choices = list(
        Choice.objects.filter(
            Q(connector=connector)
            | Q(connector__isnull=True, exchange_id=connector.exchange_id, poll__kind__in=covered)
        )
        .exclude(poll__status=PollStatus.DRAFT)
        .select_related("poll", "poll__epoch")
        .order_by(
            F("poll__epoch__number").desc(nulls_last=True),
            F("poll__opened_at").desc(nulls_last=True),
            "poll__kind",
            "-poll_id",
        )
    )
    decisions = list(
        InclusionDecision.objects.filter(connector=connector, status=DecisionStatus.PENDING)
        .select_related("poll", "proposal")
        .order_by("-created_at", "-id")
    )
    return PollHistory(choices=choices, pending_decisions=decisions)


# --- a connector's timeline ---------------------------------------------------------------


@dataclass(frozen=True)
class PollMoment:
    """A poll opening or finalizing, with the choices that stood for the connector."""

    poll: Poll
    when: datetime
    choices: list[Choice]


@dataclass(frozen=True)
class ProposalMoment:
    proposal: Proposal
    when: datetime


@dataclass(frozen=True)
class ConnectorGovernanceHistory:
    polls_opened: list[PollMoment]
    polls_finalized: list[PollMoment]
    proposals_submitted: list[ProposalMoment]
    proposals_decided: list[ProposalMoment]


def connector_poll_kinds(*, connector: Connector) -> list[str]:
    """The poll kinds whose exchange choices cover ``connector`` (by its type), one query."""
    flags = (
        Connector.objects.filter(pk=connector.pk)
        .annotate(
            **{
                f"covers_{kind}": Case(When(q, then=Value(True)), default=Value(False))
                for kind, q in KIND_CONNECTORS.items()
            }
        )
        .values(*(f"covers_{kind}" for kind in KIND_CONNECTORS))
        .first()
        or {}
    )
    return [kind for kind in KIND_CONNECTORS if flags.get(f"covers_{kind}")]


def connector_governance_history(
    *, connector: Connector, before: datetime | None, limit: int
) -> ConnectorGovernanceHistory:
    """The newest polls that had the connector (or its exchange, for the poll kinds that
    cover its type) as a choice, as they opened and as they were finalized, and the
    proposals about it, as submitted and as decided: at most ``limit`` of each before
    ``before``. Seven queries whatever the length of the history.

    Archived polls have no opening or finalizing time: their published voting window
    (``starts_at``, ``ends_at``) stands in, else (for the result) the start of their epoch.
    """
    kinds = connector_poll_kinds(connector=connector)
    matching = Choice.objects.filter(
        Q(connector=connector)
        | Q(connector__isnull=True, exchange_id=connector.exchange_id, poll__kind__in=kinds)
    )
    polls = (
        Poll.objects.filter(Exists(matching.filter(poll=OuterRef("pk"))))
        .exclude(status=PollStatus.DRAFT)
        .select_related("epoch")
        .prefetch_related(
            Prefetch("choices", queryset=matching.order_by("position"), to_attr="connector_choices")
        )
    )
    opened = polls.annotate(moment=Coalesce("opened_at", "starts_at")).filter(moment__isnull=False)
    # A result published without dates stands at the start of the epoch it decided.
    epoch_start = Cast("epoch__starts_on", output_field=DateTimeField())
    finalized = polls.filter(status=PollStatus.FINALIZED).annotate(
        moment=Coalesce("finalized_at", "ends_at", epoch_start)
    )
    finalized = finalized.filter(moment__isnull=False)
    proposals = Proposal.objects.filter(connector=connector).select_related("poll")
    submitted = proposals.annotate(moment=F("created_at"))
    decided = proposals.exclude(outcome="").annotate(
        moment=Coalesce("poll__finalized_at", "poll__ends_at")
    )
    decided = decided.filter(moment__isnull=False)
    if before is not None:
        opened, finalized = opened.filter(moment__lt=before), finalized.filter(moment__lt=before)
        submitted, decided = submitted.filter(moment__lt=before), decided.filter(moment__lt=before)
    newest = ("-moment", "-id")

    def poll_moments(polls: Iterable[Poll]) -> list[PollMoment]:
        return [
            PollMoment(poll=poll, when=poll.moment, choices=poll.connector_choices)  # type: ignore[attr-defined]
            for poll in polls
        ]

    def proposal_moments(proposals: Iterable[Proposal]) -> list[ProposalMoment]:
        return [ProposalMoment(proposal=p, when=p.moment) for p in proposals]  # type: ignore[attr-defined]

    return ConnectorGovernanceHistory(
        polls_opened=poll_moments(opened.order_by(*newest)[:limit]),
        polls_finalized=poll_moments(finalized.order_by(*newest)[:limit]),
        proposals_submitted=proposal_moments(submitted.order_by(*newest)[:limit]),
        proposals_decided=proposal_moments(decided.order_by(*newest)[:limit]),
    )
