"""With the per-process cache of open polls on, a vote still sees a poll that closed since
the cache was filled, and the cache saves the poll reads of later votes."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.models import Poll, PollStatus, Vote
from governance.services import votes as votes_service
from governance.services.errors import VotePollNotActive
from governance.services.votes import vote_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def poll_cache(settings):
    settings.VOTE_POLL_CACHE_SECONDS = 60
    votes_service._active_polls.clear()
    votes_service._positions.clear()
    yield
    votes_service._active_polls.clear()
    votes_service._positions.clear()


@pytest.fixture
def holders(chain_info):
    return chain_info.holders


def test_a_poll_closed_after_caching_refuses_votes(poll_cache, open_poll, holders, signed_vote):
    # given a vote that filled the cache while the poll was open
    first = signed_vote(poll=open_poll, key=holders[0].private_key, choices=[(1, 1)])
    vote_cast(typed_data=first[0], signature=first[1])

    # when the poll closes and another holder votes within the cache's lifetime
    Poll.objects.filter(pk=open_poll.pk).update(status=PollStatus.CLOSED, closed_at=timezone.now())
    second = signed_vote(poll=open_poll, key=holders[1].private_key, choices=[(2, 1)])
    with pytest.raises(VotePollNotActive):
        vote_cast(typed_data=second[0], signature=second[1])

    # then only the first vote exists
    assert Vote.objects.count() == 1


def test_later_votes_do_not_read_the_poll_or_its_choices_again(
    poll_cache, open_poll, holders, signed_vote
):
    # given one vote cast (poll and choices cached)
    first = signed_vote(poll=open_poll, key=holders[0].private_key, choices=[(1, 1)])
    vote_cast(typed_data=first[0], signature=first[1])
    second = signed_vote(poll=open_poll, key=holders[1].private_key, choices=[(2, 1)])
    vote_cast(typed_data=second[0], signature=second[1])

    # when a third holder votes
    third = signed_vote(poll=open_poll, key=holders[2].private_key, choices=[(3, 1)])
    with CaptureQueriesContext(connection) as queries:
        vote_cast(typed_data=third[0], signature=third[1])

    # then the choices were not read, and the poll only once: by the lock before writing
    sqls = [q["sql"] for q in queries.captured_queries]
    assert not any("governance_choice" in sql for sql in sqls)
    poll_reads = [sql for sql in sqls if re.search(r"\bgovernance_poll\b", sql.split("WHERE")[0])]
    assert len(poll_reads) == 1
