"""Votes racing each other on PostgreSQL: one address, one counted vote."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from governance.models import PollTally, Vote
from governance.selectors import poll_totals, poll_totals_recount
from governance.services.errors import VoteRejected, VoteReplayed, VoteStale
from governance.services.votes import vote_cast
from governance.tally import Totals
from tests.concurrency import race
from tests.governance.conftest import now_seconds

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

THREADS = 50


@pytest.fixture
def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): row locks across connections")


def cast(typed_data: dict[str, Any], signature: str) -> Callable[[], Vote]:
    return lambda: vote_cast(typed_data=typed_data, signature=signature)


def test_fifty_concurrent_votes_from_one_address_leave_exactly_one_counted(
    require_postgresql, open_poll, chain_info, signed_vote
):
    # given 50 different votes signed by alice, each with its own timestamp and weights
    alice = chain_info.holders[0]
    start = now_seconds() - THREADS
    payloads = [
        signed_vote(
            poll=open_poll,
            key=alice.private_key,
            choices=[(1 + i % 4, 1 + i)],
            timestamp=start + i,
        )
        for i in range(THREADS)
    ]

    # when they all arrive at once, each on its own connection
    outcomes = race([cast(*payload) for payload in payloads])

    # then every refusal is "you have a newer vote", and every stored vote was accepted
    accepted = [o for o in outcomes if isinstance(o, Vote)]
    refused = [o for o in outcomes if not isinstance(o, Vote)]
    assert all(isinstance(o, VoteStale) for o in refused), refused
    assert accepted
    assert Vote.objects.filter(poll=open_poll).count() == len(accepted)
    # and exactly one vote counts: the latest signed one
    current = Vote.objects.get(poll=open_poll, voter=alice.address, is_current=True)
    assert current.signed_timestamp == start + THREADS - 1
    assert current.weights == [[1 + (THREADS - 1) % 4, THREADS]]
    superseded = Vote.objects.filter(poll=open_poll, is_current=False)
    assert all(vote.superseded_at is not None for vote in superseded)
    # and the accepted votes replaced each other in signing order
    order = list(
        Vote.objects.filter(poll=open_poll)
        .order_by("id")
        .values_list("signed_timestamp", flat=True)
    )
    assert order == sorted(order)
    # and the running totals are those of a recount: the one counted vote
    assert running_totals(open_poll) == poll_totals_recount(poll=open_poll)
    assert running_totals(open_poll).voter_count == 1


def running_totals(poll: Any) -> Totals:
    """The stored totals plus the changes not folded into them yet."""
    assert PollTally.objects.filter(poll=poll).exists()
    return poll_totals(poll=poll)


def test_concurrent_revotes_of_several_voters_leave_totals_equal_to_a_recount(
    require_postgresql, open_poll, chain_info, signed_vote
):
    # given four holders who voted once, and 40 changed votes of theirs ready to send
    holders = chain_info.holders[:4]
    start = now_seconds() - 100
    for i, holder in enumerate(holders):
        cast(
            *signed_vote(
                poll=open_poll, key=holder.private_key, choices=[(1 + i, 1)], timestamp=start
            )
        )()
    payloads = [
        signed_vote(
            poll=open_poll,
            key=holders[i % 4].private_key,
            choices=[(1 + (i % 4), 1 + i), (1 + ((i + 1) % 4), 3)],
            timestamp=start + 1 + i,
        )
        for i in range(40)
    ]

    # when they all arrive at once
    outcomes = race([cast(*payload) for payload in payloads])

    # then whatever was accepted or refused, the totals are a recount of the counted votes
    assert all(isinstance(o, Vote | VoteStale) for o in outcomes), outcomes
    assert running_totals(open_poll) == poll_totals_recount(poll=open_poll)
    assert running_totals(open_poll).voter_count == 4


def test_the_same_signed_vote_sent_ten_times_at_once_is_stored_once(
    require_postgresql, open_poll, chain_info, signed_vote
):
    # given one signed vote
    payload = signed_vote(poll=open_poll, key=chain_info.holders[1].private_key, choices=[(2, 1)])

    # when it is posted ten times at once
    outcomes = race([cast(*payload) for _ in range(10)])

    # then one copy is stored and the others are refused as replays
    accepted = [o for o in outcomes if isinstance(o, Vote)]
    assert len(accepted) == 1
    refused = [o for o in outcomes if not isinstance(o, Vote)]
    assert all(isinstance(o, VoteReplayed) for o in refused), refused
    assert all(isinstance(o, VoteRejected) and o.code == "replayed" for o in refused)
    assert Vote.objects.filter(poll=open_poll).count() == 1
