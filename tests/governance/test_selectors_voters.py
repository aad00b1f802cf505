"""A poll's list of votes (``selectors.poll_voters``): counted votes only, the largest voting
power first, the viewer's own first of all, a page at a time in a fixed number of queries;
and the poll list's turnout, leader and outcome (``selectors.poll_sections``)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from web3 import Web3

from governance import selectors
from governance.extension_points import VoterProfile, VoterProfilesQuery, voter_profiles
from governance.models import Poll, PollStatus, PollTally, Vote
from governance.selectors import VoterCursor, VoterCursorInvalid, poll_voters
from governance.services.polls import poll_close, poll_finalize
from governance.services.tallies import poll_tally_ensure
from governance.services.votes import vote_cast
from tests.governance.conftest import now_seconds
from tests.governance.factories import ChoiceFactory, EpochFactory, PollFactory

pytestmark = pytest.mark.django_db

HBOT = 10**18


def cast(
    poll: Poll,
    signed_vote: Any,
    holder: Any,
    choices: list[tuple[int, int]],
    timestamp: int | None = None,
) -> Vote:
    """A vote as the wallet signs it and the vote service records it."""
    typed_data, signature = signed_vote(
        poll=poll, key=holder.private_key, choices=choices, timestamp=timestamp
    )
    return vote_cast(typed_data=typed_data, signature=signature, poll_id=poll.pk)


def stored_votes(poll: Poll, powers: list[int], *, first: int = 0) -> None:
    """Counted votes written in bulk, as the vote service stores them (the signatures are
    not what these tests check), voters numbered from ``first``."""
    Vote.objects.bulk_create(
        Vote(
            poll=poll,
            voter=Web3.to_checksum_address(f"0x{first + n + 1:040x}"),
            weights=[[1 + n % 4, 1]],
            signed_timestamp=1,
            typed_data={},
            signature="0x",
            digest=f"0x{poll.pk:030x}{first + n:034x}",
            voting_power=power,
        )
        for n, power in enumerate(powers)
    )


def addresses(rows: list[selectors.VoterRow]) -> list[str]:
    return [row.address for row in rows]


def fresh(poll: Poll) -> Poll:
    return selectors.poll_get(pk=poll.pk)


# --- the list of votes --------------------------------------------------------------------


def test_a_poll_without_votes_lists_nobody(open_poll):
    voters = poll_voters(poll=fresh(open_poll))

    assert voters.rows == []
    assert voters.you is None
    assert voters.next is None
    assert voters.as_json() == []


def test_voters_are_listed_by_voting_power_with_their_choices_and_shares(
    open_poll, signed_vote, chain_info
):
    # given bob (2.25M HBOT) splits 3:1, alice (4M) gives all to one choice, heidi (60k)
    alice, bob, heidi = (chain_info.holders[i] for i in (0, 1, 7))
    cast(open_poll, signed_vote, bob, [(2, 1), (3, 3)])
    cast(open_poll, signed_vote, heidi, [(4, 1)])
    cast(open_poll, signed_vote, alice, [(1, 1)])

    # when
    voters = poll_voters(poll=fresh(open_poll))

    # then the largest power comes first; each voter's choices, largest share first
    assert addresses(voters.rows) == [alice.address, bob.address, heidi.address]
    alice_row, bob_row, heidi_row = voters.rows
    assert alice_row.power == 4_000_000 * HBOT
    assert alice_row.power_hbot == Decimal(4_000_000)
    assert [(line.label, line.weight, line.share) for line in bob_row.lines] == [
        ("Kraken", 3, Decimal(75)),
        ("OKX", 1, Decimal(25)),
    ]
    assert [line.label for line in heidi_row.lines] == ["Coinbase"]
    assert bob_row.short_address == f"{bob.address[:6]}…{bob.address[-4:]}"
    assert not any(row.is_you for row in voters.rows)


def test_a_superseded_vote_is_not_listed(open_poll, signed_vote, chain_info):
    # given alice votes, then changes her vote
    alice = chain_info.holders[0]
    first = cast(open_poll, signed_vote, alice, [(1, 1)], timestamp=now_seconds() - 10)
    cast(open_poll, signed_vote, alice, [(2, 1), (3, 1)])

    # when
    voters = poll_voters(poll=fresh(open_poll))

    # then only her counted vote is listed, with its choices
    assert addresses(voters.rows) == [alice.address]
    assert [line.label for line in voters.rows[0].lines] == ["OKX", "Kraken"]
    first.refresh_from_db()
    assert first.is_current is False


def test_a_choice_given_no_weight_is_not_shown(open_poll, signed_vote, chain_info):
    cast(open_poll, signed_vote, chain_info.holders[0], [(1, 0), (2, 5)])

    row = poll_voters(poll=fresh(open_poll)).rows[0]

    assert [(line.label, line.share) for line in row.lines] == [("OKX", Decimal(100))]


def test_shares_in_the_data_are_rounded_as_the_tally_rounds_them(
    open_poll, signed_vote, chain_info
):
    cast(open_poll, signed_vote, chain_info.holders[0], [(1, 1), (2, 1), (3, 1)])

    (data,) = poll_voters(poll=fresh(open_poll)).as_json()

    assert [c["share"] for c in data["choices"]] == ["33.333333"] * 3
    assert data["voting_power_hbot"] == "4000000"


def test_your_vote_comes_first_and_is_not_repeated(open_poll, signed_vote, chain_info):
    # given three votes, the viewer (heidi) having the least power
    alice, bob, heidi = (chain_info.holders[i] for i in (0, 1, 7))
    for holder in (alice, bob, heidi):
        cast(open_poll, signed_vote, holder, [(1, 1)])

    # when heidi looks at the list
    voters = poll_voters(poll=fresh(open_poll), you=heidi.address)

    # then her vote is first and marked, and the others follow by power
    assert voters.you is not None
    assert voters.you.address == heidi.address
    assert voters.you.is_you
    assert addresses(voters.all_rows) == [heidi.address, alice.address, bob.address]
    assert [row["you"] for row in voters.as_json()] == [True, False, False]


def test_a_viewer_who_has_not_voted_gets_no_row_of_their_own(open_poll, signed_vote, chain_info):
    alice, bob = chain_info.holders[0], chain_info.holders[1]
    cast(open_poll, signed_vote, alice, [(1, 1)])

    voters = poll_voters(poll=fresh(open_poll), you=bob.address)

    assert voters.you is None
    assert addresses(voters.all_rows) == [alice.address]


def test_power_is_compared_as_a_number_not_as_text(open_poll):
    # given powers whose decimal text sorts differently from their value
    stored_votes(open_poll, [9, 10**24, 100, 10, 2 * 10**24 + 1])

    voters = poll_voters(poll=fresh(open_poll))

    assert [row.power for row in voters.rows] == [2 * 10**24 + 1, 10**24, 100, 10, 9]


def test_a_long_list_comes_a_page_at_a_time_without_gaps_or_repeats(open_poll):
    # given 60 counted votes, several with equal power
    powers = [(n % 17) * HBOT + (n % 3) for n in range(1, 61)]
    stored_votes(open_poll, powers)
    poll = fresh(open_poll)

    # when the pages are read one after the other
    pages = [poll_voters(poll=poll, limit=25)]
    while pages[-1].next is not None:
        pages.append(poll_voters(poll=poll, after=pages[-1].next, limit=25))

    # then 25, 25 and 10 votes, each once, in the order of power (then newest first)
    assert [len(page.rows) for page in pages] == [25, 25, 10]
    listed = [row for page in pages for row in page.rows]
    assert len({row.address for row in listed}) == 60
    expected = sorted(Vote.objects.filter(poll=poll), key=lambda v: (-v.voting_power, -v.pk))
    assert [row.address for row in listed] == [vote.voter for vote in expected]
    assert pages[1].after == pages[0].next


def test_later_pages_leave_out_your_vote_and_do_not_repeat_it(open_poll):
    stored_votes(open_poll, [n * HBOT for n in range(1, 31)])
    poll = fresh(open_poll)
    you = Vote.objects.get(poll=poll, voting_power=1 * HBOT).voter

    first = poll_voters(poll=poll, you=you, limit=20)
    second = poll_voters(poll=poll, you=you, after=first.next, limit=20)

    assert first.you is not None
    assert second.you is None
    listed = addresses(first.all_rows) + addresses(second.all_rows)
    assert len(listed) == len(set(listed)) == 30
    assert listed[0] == you


@pytest.mark.parametrize("votes", [3, 300])
def test_the_list_reads_a_limited_page_in_a_fixed_number_of_queries(
    open_poll, votes, django_assert_max_num_queries
):
    # given few or many counted votes
    stored_votes(open_poll, [n * HBOT for n in range(1, votes + 1)])
    poll = fresh(open_poll)
    you = Vote.objects.filter(poll=poll).order_by("voting_power").first().voter
    after = VoterCursor(power=votes * HBOT + 1, vote_id=0)

    # when a page is read with the viewer's vote: the page, the viewer's vote, and one
    # question per voter-profile provider; a later page has no viewer's vote to read
    providers = len(voter_profiles.providers)
    with django_assert_max_num_queries(2 + providers):
        voters = poll_voters(poll=poll, you=you, limit=25)
    with django_assert_max_num_queries(1 + providers):
        later = poll_voters(poll=poll, you=you, after=after, limit=25)

    # then at most a page is listed
    assert len(voters.rows) == min(25, votes - 1)
    assert len(later.rows) == min(25, votes - 1)


def test_voters_known_to_another_app_are_named_and_linked(
    open_poll, signed_vote, chain_info, monkeypatch
):
    # given an app that knows alice (as bounties knows its maintainers)
    alice, bob = chain_info.holders[0], chain_info.holders[1]
    asked: list[VoterProfilesQuery] = []

    def profiles(query: VoterProfilesQuery) -> dict[str, VoterProfile]:
        asked.append(query)
        return {alice.address.lower(): VoterProfile(name="Alice", url="/maintainers/alice/")}

    monkeypatch.setattr(voter_profiles, "_providers", [profiles])
    cast(open_poll, signed_vote, alice, [(1, 1)])
    cast(open_poll, signed_vote, bob, [(1, 1)])

    # when
    voters = poll_voters(poll=fresh(open_poll))

    # then it was asked once for the whole page, and alice is named
    assert asked == [
        VoterProfilesQuery(addresses=frozenset({alice.address.lower(), bob.address.lower()}))
    ]
    assert voters.rows[0].profile == VoterProfile(name="Alice", url="/maintainers/alice/")
    assert voters.rows[1].profile is None


def test_nobody_is_asked_about_an_empty_page(open_poll, monkeypatch):
    asked: list[VoterProfilesQuery] = []
    monkeypatch.setattr(voter_profiles, "_providers", [lambda q: asked.append(q) or {}])

    poll_voters(poll=fresh(open_poll))

    assert asked == []


def test_the_cursor_reads_back_what_it_writes():
    cursor = VoterCursor(power=4_000_000 * HBOT, vote_id=17)

    assert VoterCursor.parse(str(cursor)) == cursor


@pytest.mark.parametrize(
    "text",
    ["", "12", "12.", ".3", "a.b", "-1.2", "1.2.3", "1e5.2", "\u0661.\u0662", "9" * 120 + ".1"],
)
def test_a_malformed_cursor_is_refused_with_what_it_should_be(text):
    with pytest.raises(VoterCursorInvalid, match=r"<power>\.<vote id>"):
        VoterCursor.parse(text)


# --- the poll list: turnout and leader, outcome ---------------------------------------------


def test_an_open_poll_in_the_list_has_its_turnout_and_leader(open_poll, signed_vote, chain_info):
    alice, bob = chain_info.holders[0], chain_info.holders[1]
    cast(open_poll, signed_vote, alice, [(3, 1)])
    cast(open_poll, signed_vote, bob, [(2, 1)])

    sections = selectors.poll_sections()

    (results,) = sections.active_results
    assert results.poll == open_poll
    assert results.voter_count == 2
    assert results.total_power_hbot == Decimal(6_250_000)
    assert results.leader is not None
    assert results.leader.choice.label == "Kraken"
    assert results.leader.share == Decimal(64)


def test_an_open_poll_without_votes_has_no_leader(open_poll):
    (results,) = selectors.poll_sections().active_results

    assert results.voter_count == 0
    assert results.leader is None


def test_a_finalized_poll_in_the_list_has_its_outcome(open_poll, signed_vote, chain_info):
    # given a poll whose votes put Kraken above the 200K threshold and nothing else
    cast(open_poll, signed_vote, chain_info.holders[0], [(3, 1)])
    assert poll_close(poll=open_poll, now=open_poll.ends_at)
    poll_finalize(poll=open_poll)

    (results,) = selectors.poll_sections().recent_results

    assert results.source == "final"
    assert results.leader is not None
    assert results.leader.choice.label == "Kraken"
    assert [row.choice.label for row in results.included] == ["Kraken"]
    assert len(results.failures) == 3
    assert results.voter_count == 1


def test_a_closed_poll_awaiting_its_tally_shows_who_leads(open_poll, signed_vote, chain_info):
    cast(open_poll, signed_vote, chain_info.holders[1], [(4, 1)])
    assert poll_close(poll=open_poll, now=open_poll.ends_at)

    (results,) = selectors.poll_sections().recent_results

    assert results.source == "live"
    assert results.leader is not None
    assert results.leader.choice.label == "Coinbase"


def test_an_archived_poll_in_the_list_has_its_published_outcome(history):
    sections = selectors.poll_sections(recent_limit=100)

    results = next(r for r in sections.recent_results if r.poll.reference == "HGP-68")
    assert results.source == "published"
    assert results.leader is not None
    assert results.leader.rank == 1
    assert results.failures  # Hashkey and Tegro


def open_polls(count: int, *, votes: int) -> None:
    """``count`` open polls made directly, each with running totals and ``votes`` votes."""
    for _ in range(count):
        poll = PollFactory(
            epoch=EpochFactory(),
            status=PollStatus.ACTIVE,
            snapshot_block=1,
            chain_id=1,
            ends_at=timezone.now() + timedelta(days=7),
        )
        for position in range(1, 5):
            ChoiceFactory(poll=poll, position=position)
        stored_votes(poll, [n * HBOT for n in range(1, votes + 1)], first=poll.pk * 1000)
        poll_tally_ensure(poll=poll)


def test_the_poll_list_costs_the_same_queries_whatever_the_polls_and_votes(
    django_assert_num_queries,
):
    open_polls(1, votes=1)
    PollFactory(archived=True)
    with CaptureQueriesContext(connection) as few:
        selectors.poll_sections()
    open_polls(4, votes=40)
    for _ in range(4):
        archived = PollFactory(archived=True)
        ChoiceFactory(poll=archived, position=1, final_rank=1, final_share=100, passed=True)

    with django_assert_num_queries(len(few)):
        sections = selectors.poll_sections()

    assert len(sections.active_results) == 5
    assert all(r.leader is not None for r in sections.active_results)


def test_polls_without_stored_totals_are_recounted_together(django_assert_num_queries):
    # given two open polls whose totals were never stored
    open_polls(2, votes=3)
    PollTally.objects.all().delete()
    polls = list(Poll.objects.order_by("id"))

    # when their totals are read at once: the stored rows, then one recount
    with django_assert_num_queries(2):
        totals = selectors.poll_totals_many(polls=polls)

    # then each is its recount
    assert {pk: t.voter_count for pk, t in totals.items()} == {p.pk: 3 for p in polls}
    for poll in polls:
        assert totals[poll.pk] == selectors.poll_totals_recount(poll=poll)
