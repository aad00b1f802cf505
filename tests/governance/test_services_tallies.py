"""Running totals: kept by every vote, equal to a recount, checked and repaired."""

from __future__ import annotations

from contextlib import suppress
from fractions import Fraction
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from governance.choices import ChoiceSpec
from governance.models import Poll, PollTally, PollTallyDelta, Vote
from governance.selectors import poll_results, poll_totals, poll_totals_recount
from governance.services.errors import PollStateError, VoteRejected
from governance.services.polls import poll_close, poll_create, poll_finalize, poll_open
from governance.services.tallies import poll_recount, poll_tally_ensure, poll_tally_fold
from governance.services.votes import vote_cast
from governance.tally import Totals
from tests.governance.conftest import now_seconds
from tests.governance.factories import PollFactory

pytestmark = pytest.mark.django_db


def running(poll: Poll) -> Totals:
    """The running totals: the stored row plus the changes not folded into it yet."""
    assert PollTally.objects.filter(poll_id=poll.pk).exists()
    return poll_totals(poll=poll)


def stored(poll: Poll) -> Totals:
    """The stored row alone."""
    row = PollTally.objects.get(poll_id=poll.pk)
    return Totals.from_json(method=poll.voting_method, data=row.totals)


def cast(
    signed_vote: Any,
    poll: Poll,
    holder: Any,
    choices: list[tuple[int, int]],
    timestamp: int | None = None,
) -> Vote:
    typed_data, signature = signed_vote(
        poll=poll, key=holder.private_key, choices=choices, timestamp=timestamp
    )
    return vote_cast(typed_data=typed_data, signature=signature, poll_id=poll.pk)


def test_opening_a_poll_creates_empty_totals(open_poll):
    assert running(open_poll) == Totals(method=open_poll.voting_method)


def test_a_vote_adds_its_parts_and_a_revote_replaces_them(open_poll, chain_info, signed_vote):
    # given alice voting 1:3 on choices 1 and 2, then changing to all on choice 3
    alice = chain_info.holders[0]
    first = cast(signed_vote, open_poll, alice, [(1, 1), (2, 3)], now_seconds() - 5)
    after_first = running(open_poll)
    cast(signed_vote, open_poll, alice, [(3, 1)])

    # then the first vote's parts were counted, and then replaced by the second's
    power = int(first.voting_power)
    assert after_first.sums == {1: Fraction(power, 4), 2: Fraction(power * 3, 4)}
    assert running(open_poll).sums == {3: power}
    assert running(open_poll).voter_count == 1
    assert running(open_poll).total_power == power


@pytest.mark.parametrize("every", [1, 2, 10**9])
def test_totals_are_exact_however_often_the_changes_are_folded(
    settings, open_poll, chain_info, signed_vote, every
):
    # given votes and revotes, folded into the stored row every `every` changes
    settings.POLL_TOTALS_FOLD_EVERY = every
    start = now_seconds() - 10
    for i, holder in enumerate(chain_info.holders[:4]):
        cast(signed_vote, open_poll, holder, [(1 + i % 3, 2), (4, 1)], start)
        cast(signed_vote, open_poll, holder, [(1 + (i + 1) % 4, 1)], start + 1)

    # then the running totals (row + pending changes) are a recount, and a fold keeps them
    assert running(open_poll) == poll_totals_recount(poll=open_poll)
    pending = PollTallyDelta.objects.filter(poll=open_poll).count()
    assert pending == {1: 0, 2: pending % 2, 10**9: 8}[every]  # every 2nd folds the pair
    poll_tally_fold(poll=open_poll)
    assert stored(open_poll) == poll_totals_recount(poll=open_poll)
    assert not PollTallyDelta.objects.filter(poll=open_poll).exists()


def test_a_refused_vote_changes_nothing(open_poll, chain_info, signed_vote):
    alice = chain_info.holders[0]
    cast(signed_vote, open_poll, alice, [(1, 1)])
    before = PollTally.objects.get(poll=open_poll)

    with pytest.raises(VoteRejected):  # an older vote than the counted one
        cast(signed_vote, open_poll, alice, [(2, 1)], now_seconds() - 60)

    after = PollTally.objects.get(poll=open_poll)
    assert (after.totals, after.version) == (before.totals, before.version)


# A wallet's action in the property test: (holder, weights, seconds before now).
actions = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=3),
        st.dictionaries(
            st.integers(min_value=1, max_value=4),
            st.integers(min_value=0, max_value=7),
            min_size=1,
            max_size=4,
        ),
        st.integers(min_value=0, max_value=30),
    ),
    min_size=1,
    max_size=10,
)


@hypothesis_settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=actions, method=st.sampled_from(["weighted", "quadratic"]))
def test_totals_equal_a_recount_after_any_votes_revotes_and_refusals(
    chain_settings, epoch, chain_info, signed_vote, actions, method
):
    # given a fresh poll under the drawn voting method
    epoch.rules.voting_method = method
    epoch.rules.save(update_fields=["voting_method"])
    poll = poll_open(
        poll=poll_create(epoch=epoch, kind="cex", choices=[ChoiceSpec(label=x) for x in "ABCD"])
    )
    # when holders vote, change their votes, resend old ones and send all-zero ballots
    start = now_seconds()
    for holder, weights, age in actions:
        with suppress(VoteRejected):  # stale, replayed or all-zero: refused, nothing written
            cast(
                signed_vote, poll, chain_info.holders[holder], sorted(weights.items()), start - age
            )

    # then the running totals are exactly a recount of the counted votes
    assert running(poll) == poll_totals_recount(poll=poll)


def test_recount_agrees_on_a_clean_poll(open_poll, chain_info, signed_vote):
    cast(signed_vote, open_poll, chain_info.holders[0], [(1, 2), (2, 1)])
    cast(signed_vote, open_poll, chain_info.holders[1], [(3, 1)])

    report = poll_recount(poll=open_poll)

    assert report.agrees
    assert report.differences() == []
    assert not report.repaired


def test_recount_finds_and_repairs_totals_that_drifted(open_poll, chain_info, signed_vote):
    # given counted votes whose totals were damaged behind the service's back
    cast(signed_vote, open_poll, chain_info.holders[0], [(1, 1)])
    poll_tally_fold(poll=open_poll)
    PollTally.objects.filter(poll=open_poll).update(totals={"voter_count": 5, "sums": {"2": "7"}})

    # when checked, then repaired
    found = poll_recount(poll=open_poll)
    repaired = poll_recount(poll=open_poll, repair=True)

    # then the check lists each difference, and the repair makes the totals a recount
    assert not found.agrees
    assert any(line.startswith("voters: running 5, recount 1") for line in found.differences())
    assert any(line.startswith("choice 2: running 7, recount 0") for line in found.differences())
    assert repaired.repaired
    assert running(open_poll) == poll_totals_recount(poll=open_poll)
    assert poll_recount(poll=open_poll).agrees


def test_a_poll_without_stored_totals_gets_them_from_a_recount(
    chain_settings, open_poll, chain_info, signed_vote
):
    # given a poll with votes whose totals row is gone (opened before totals existed)
    cast(signed_vote, open_poll, chain_info.holders[0], [(1, 1)])
    PollTally.objects.filter(poll=open_poll).delete()
    poll = Poll.objects.get(pk=open_poll.pk)

    # when its results are read, nothing is written and they come from a recount
    assert poll_results(poll=poll).voter_count == 1
    assert not PollTally.objects.filter(poll=open_poll).exists()
    # and a later vote is counted by the recount too
    cast(signed_vote, open_poll, chain_info.holders[1], [(2, 1)])
    assert poll_totals(poll=poll).voter_count == 2
    # and once made (from a recount, its pending changes dropped), the totals agree
    poll_tally_ensure(poll=poll)
    assert running(open_poll) == poll_totals_recount(poll=open_poll)
    assert not PollTallyDelta.objects.filter(poll=open_poll).exists()


def test_votes_append_changes_that_the_next_free_fold_takes_in(open_poll, chain_info, signed_vote):
    # given a vote whose fold found the totals row busy (its change stays pending)
    cast(signed_vote, open_poll, chain_info.holders[0], [(1, 1)])
    poll_tally_fold(poll=open_poll)
    before = stored(open_poll)
    PollTallyDelta.objects.create(
        poll=open_poll,
        totals=Totals(
            method="weighted", sums={2: Fraction(5)}, voter_count=1, total_power=5
        ).as_json(),
    )

    # then reads include the pending change, and a fold moves it into the row
    assert poll_totals(poll=open_poll).sums[2] == 5
    assert poll_tally_fold(poll=open_poll)
    assert stored(open_poll).sums[2] == 5
    assert stored(open_poll).voter_count == before.voter_count + 1
    assert not PollTallyDelta.objects.filter(poll=open_poll).exists()


def test_ensure_returns_the_existing_row(open_poll):
    assert poll_tally_ensure(poll=open_poll).pk == open_poll.pk
    assert PollTally.objects.filter(poll=open_poll).count() == 1


def test_finalize_refuses_totals_that_disagree_with_the_votes(open_poll, chain_info, signed_vote):
    # given a closed poll whose totals drifted
    cast(signed_vote, open_poll, chain_info.holders[0], [(1, 1)])
    poll_close(poll=open_poll, now=open_poll.ends_at)
    PollTally.objects.filter(poll=open_poll).update(totals={"voter_count": 9})

    # when finalized, it is refused with what to run, and nothing is frozen
    with pytest.raises(PollStateError, match=r"poll_recount \d+ --repair"):
        poll_finalize(poll=open_poll)
    assert Poll.objects.get(pk=open_poll.pk).status == "closed"

    # and once repaired, it finalizes from the repaired totals
    poll_recount(poll=open_poll, repair=True)
    result = poll_finalize(poll=open_poll)
    assert result.voter_count == 1


def test_live_results_read_the_totals_not_the_votes(open_poll, chain_info, signed_vote):
    for holder in chain_info.holders[:3]:
        cast(signed_vote, open_poll, holder, [(1, 1), (2, 1)])
    poll = Poll.objects.prefetch_related("choices").get(pk=open_poll.pk)

    with CaptureQueriesContext(connection) as queries:
        results = poll_results(poll=poll)

    # one statement: the stored totals and the pending changes, never the votes
    assert len(queries.captured_queries) == 1
    assert "governance_vote" not in queries.captured_queries[0]["sql"]
    assert results.source == "live"
    assert results.voter_count == 3


# --- the command ------------------------------------------------------------------------


def test_command_says_the_totals_agree(open_poll, chain_info, signed_vote):
    cast(signed_vote, open_poll, chain_info.holders[0], [(1, 1)])
    out = StringIO()

    call_command("poll_recount", str(open_poll.pk), stdout=out)

    assert "agree" in out.getvalue()


def test_command_fails_on_a_difference_and_repairs_on_request(open_poll, chain_info, signed_vote):
    cast(signed_vote, open_poll, chain_info.holders[0], [(1, 1)])
    PollTally.objects.filter(poll=open_poll).update(totals={"voter_count": 3})

    with pytest.raises(CommandError, match="differ"):
        call_command("poll_recount", str(open_poll.pk), stdout=StringIO())
    out = StringIO()
    call_command("poll_recount", str(open_poll.pk), "--repair", stdout=out)

    assert "Repaired" in out.getvalue()
    assert running(open_poll) == poll_totals_recount(poll=open_poll)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: "999999", "no poll 999999"),
        (lambda: str(PollFactory(is_archived=True, status="finalized").pk), "archived"),
        (lambda: str(PollFactory().pk), "has not opened"),
    ],
    ids=["missing", "archived", "draft"],
)
def test_command_refuses_polls_without_signed_votes(db, make, message):
    with pytest.raises(CommandError, match=message):
        call_command("poll_recount", make(), stdout=StringIO())
