"""Governance's events on a connector's timeline: polls that had it as a choice (opened,
finalized with its result and allocation) and proposals about it (submitted, decided)."""

from __future__ import annotations

from datetime import UTC

from connectors_registry.extension_points import TimelineEvent, TimelineQuery, connector_timeline
from governance.models import Choice, PollStatus
from governance.selectors import PollMoment, ProposalMoment, connector_governance_history
from governance.templatetags.hbot import hbot_amount, percent


@connector_timeline.provide
def governance_timeline(query: TimelineQuery) -> list[TimelineEvent]:
    history = connector_governance_history(
        connector=query.connector, before=query.before, limit=query.limit
    )
    events = [
        *(_poll_opened(moment) for moment in history.polls_opened),
        *(_poll_finalized(moment) for moment in history.polls_finalized),
        *(_proposal_submitted(moment) for moment in history.proposals_submitted),
        *(_proposal_decided(moment) for moment in history.proposals_decided),
    ]
    events.sort(key=lambda event: event.when, reverse=True)
    return events[: query.limit]


def _labels(moment: PollMoment) -> str:
    return ", ".join(choice.label for choice in moment.choices) or "Its exchange"


def _poll_opened(moment: PollMoment) -> TimelineEvent:
    poll = moment.poll
    summary = f"{_labels(moment)} on the ballot"
    if poll.ends_at and poll.status == PollStatus.ACTIVE:
        summary += f"; voting until {poll.ends_at.astimezone(UTC):%d %b %Y %H:%M} UTC"
    return TimelineEvent(
        when=moment.when,
        kind="poll.opened",
        title=f"Poll opened: {poll}",
        summary=f"{summary}.",
        url=poll.get_absolute_url(),
        app="governance",
    )


def _result(choice: Choice) -> str:
    """One choice's frozen (or published) result: rank, votes, share, inclusion, money."""
    parts = [choice.label]
    if choice.final_rank:
        parts.append(f"rank {choice.final_rank}")
    if choice.votes_display:
        parts.append(f"{choice.votes_display} votes")
    elif choice.final_score is not None:
        parts.append(f"{hbot_amount(choice.final_score)} HBOT of votes")
    if choice.final_share is not None:
        parts.append(f"{percent(choice.final_share, 1)} of the vote")
    if choice.passed is True:
        parts.append("passed")
    elif choice.passed is False:
        parts.append(f"failed ({choice.failure_reason})" if choice.failure_reason else "failed")
    if choice.allocation_hbot:
        tier = f", {choice.tier} tier" if choice.tier else ""
        parts.append(f"{hbot_amount(choice.allocation_hbot)} HBOT allocated{tier}")
    return " · ".join(parts)


def _poll_finalized(moment: PollMoment) -> TimelineEvent:
    poll = moment.poll
    summary = "; ".join(_result(choice) for choice in moment.choices) + "."
    if poll.finalized_at is None and poll.ends_at is None and poll.epoch is not None:
        summary += f" Published without a date: shown at the start of {poll.epoch.name}."
    return TimelineEvent(
        when=moment.when,
        kind="poll.finalized",
        title=f"Poll result: {poll}",
        summary=summary,
        url=poll.get_absolute_url(),
        app="governance",
    )


def _proposal_submitted(moment: ProposalMoment) -> TimelineEvent:
    proposal = moment.proposal
    return TimelineEvent(
        when=moment.when,
        kind="proposal.submitted",
        title=f"Proposal submitted: {proposal}",
        summary=f"{proposal.get_action_display()}.",
        url=proposal.get_absolute_url(),
        app="governance",
    )


def _proposal_decided(moment: ProposalMoment) -> TimelineEvent:
    proposal = moment.proposal
    return TimelineEvent(
        when=moment.when,
        kind="proposal.decided",
        title=f"Proposal {proposal.get_outcome_display().lower()}: {proposal}",
        summary=f"{proposal.get_action_display()}: {proposal.get_outcome_display()}.",
        url=proposal.get_absolute_url(),
        app="governance",
    )
