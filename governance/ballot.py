"""Facts beside a poll's choices: how the connectors each choice stands for have been doing.

Governance knows what a choice stands for (a connector, an exchange's connectors, a chain's);
the apps that hold the facts answer ``governance.extension_points.choice_facts``. A poll
that still runs shows the facts of now; one that ended shows them as they were at its close,
so a finalized result is read beside what holders could see when they voted.

One question per poll: a fixed number of queries whatever the number of choices.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from connectors_registry.models import Connector
from governance.extension_points import (
    ChoiceFacts,
    ChoiceFactsQuery,
    ChoiceSubject,
    choice_facts,
)
from governance.models import Choice, Poll, PollStatus


@dataclass(frozen=True)
class BallotFacts:
    """The facts beside each choice of one poll, by choice position."""

    as_of: datetime
    at_close: bool  # the facts as they were when the poll ended, not as they are now
    by_position: dict[int, ChoiceFacts]

    def get(self, position: int) -> ChoiceFacts | None:
        return self.by_position.get(position)


def facts_moment(*, poll: Poll, now: datetime | None = None) -> tuple[datetime, bool]:
    """When the facts of ``poll`` are read: now while it is a draft or open, else its close
    (when it closed, or its published end, or its epoch's end); and whether that is the
    close."""
    now = now or timezone.now()
    if poll.status in (PollStatus.DRAFT, PollStatus.ACTIVE) and not poll.is_archived:
        return now, False
    epoch_end = epoch_bounds(poll=poll)[1]
    moment = poll.closed_at or poll.ends_at or epoch_end or poll.finalized_at
    if moment is None or moment >= now:
        return now, False
    return moment, True


def epoch_bounds(*, poll: Poll) -> tuple[datetime | None, datetime | None]:
    """The poll's epoch as UTC moments: from its first day's start to its last day's end."""
    epoch = poll.epoch if poll.epoch_id is not None else None
    if epoch is None:
        return None, None
    start = datetime.combine(epoch.starts_on, time.min, tzinfo=UTC)
    end = datetime.combine(epoch.ends_on + timedelta(days=1), time.min, tzinfo=UTC)
    return start, end


def poll_ballot_facts(*, poll: Poll, now: datetime | None = None) -> BallotFacts | None:
    """The facts beside each choice of ``poll`` (from ``poll_get``: choices prefetched with
    what they stand for); None for a proposal's vote (For / Against / Abstain)."""
    if poll.is_proposal_vote:
        return None
    as_of, at_close = facts_moment(poll=poll, now=now)
    choices = list(poll.choices.all())
    subjects = choice_subjects(choices=choices)
    start, end = epoch_bounds(poll=poll)
    query = ChoiceFactsQuery(
        choices={str(position): subject for position, subject in subjects.items()},
        as_of=as_of,
        epoch_start=start,
        epoch_end=end,
    )
    answers = choice_facts.collect(query) if subjects else []
    by_position = {
        position: replace(
            facts_merge([answer.get(str(position)) for answer in answers]),
            connectors=len(subject.connector_ids),
        )
        for position, subject in subjects.items()
    }
    return BallotFacts(as_of=as_of, at_close=at_close, by_position=by_position)


def choice_subjects(*, choices: list[Choice]) -> dict[int, ChoiceSubject]:
    """What each choice stands for, by position; one query for the connectors of the
    exchanges and chains the choices name (none when every choice is a connector)."""
    exchange_ids = {
        c.exchange_id for c in choices if c.connector_id is None and c.exchange_id is not None
    }
    chain_ids = {
        c.chain_id
        for c in choices
        if c.connector_id is None and c.exchange_id is None and c.chain_id is not None
    }
    by_exchange: dict[int, set[int]] = defaultdict(set)
    by_chain: dict[int, set[int]] = defaultdict(set)
    if exchange_ids or chain_ids:
        rows = (
            Connector.objects.filter(
                Q(exchange_id__in=exchange_ids) | Q(exchange__chains__id__in=chain_ids)
            )
            .order_by()
            .values_list("id", "exchange_id", "exchange__chains__id")
        )
        for connector_id, exchange_id, chain_id in rows:
            if exchange_id in exchange_ids:
                by_exchange[exchange_id].add(connector_id)
            if chain_id in chain_ids:
                by_chain[chain_id].add(connector_id)
    subjects: dict[int, ChoiceSubject] = {}
    for choice in choices:
        if choice.connector_id is not None:
            connector = choice.connector
            subjects[choice.position] = ChoiceSubject(
                connector_ids=frozenset({choice.connector_id}),
                connector_id=choice.connector_id,
                exchange_id=choice.exchange_id
                or (connector.exchange_id if connector is not None else None),
            )
        elif choice.exchange_id is not None:
            subjects[choice.position] = ChoiceSubject(
                connector_ids=frozenset(by_exchange.get(choice.exchange_id, ())),
                exchange_id=choice.exchange_id,
            )
        elif choice.chain_id is not None:
            subjects[choice.position] = ChoiceSubject(
                connector_ids=frozenset(by_chain.get(choice.chain_id, ())),
                chain_id=choice.chain_id,
            )
    return subjects


def facts_merge(answers: list[ChoiceFacts | None]) -> ChoiceFacts:
    """One choice's facts from every provider's answer: each field from the first provider
    that knows it."""
    values: dict[str, object] = {}
    for answer in answers:
        if answer is None:
            continue
        for field in fields(answer):
            value = getattr(answer, field.name)
            if value is not None and values.get(field.name) is None:
                values[field.name] = value
    return ChoiceFacts(**values)  # type: ignore[arg-type]
