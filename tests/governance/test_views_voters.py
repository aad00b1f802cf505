"""The list of votes on the poll and proposal pages, its "Show more" (a page of its own, and
voters.json for the script), and the poll list's turnout, leader and outcome."""

from __future__ import annotations

import html
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from web3 import Web3

from governance.extension_points import VoterProfile, voter_profiles
from governance.models import Poll, PollKind, Proposal, Vote, Wallet
from governance.selectors import VOTERS_PER_PAGE
from governance.services.polls import poll_close, poll_finalize
from governance.services.votes import vote_cast
from tests.factories import UserFactory
from tests.governance.conftest import now_seconds, open_bounty_proposal
from tests.governance.factories import ChoiceFactory, PollFactory

pytestmark = pytest.mark.django_db

HBOT = 10**18


def vote(poll: Poll, signed_vote, holder, choices: list[tuple[int, int]]) -> Vote:
    typed_data, signature = signed_vote(poll=poll, key=holder.private_key, choices=choices)
    return vote_cast(typed_data=typed_data, signature=signature, poll_id=poll.pk)


def post_vote(client, poll: Poll, signed_vote, holder, choices: list[tuple[int, int]]):
    """Vote where the page's script posts: the API."""
    typed_data, signature = signed_vote(poll=poll, key=holder.private_key, choices=choices)
    return client.post(
        f"/api/v1/polls/{poll.pk}/votes/",
        data=json.dumps({"typed_data": typed_data, "signature": signature}),
        content_type="application/json",
    )


def stored_votes(poll: Poll, count: int) -> None:
    """``count`` counted votes written in bulk, as the vote service stores them."""
    Vote.objects.bulk_create(
        Vote(
            poll=poll,
            voter=Web3.to_checksum_address(f"0x{n + 1:040x}"),
            weights=[[1, 1]],
            signed_timestamp=1,
            typed_data={},
            signature="0x",
            digest=f"0x{poll.pk:030x}{n:034x}",
            voting_power=(n + 1) * HBOT,
        )
        for n in range(count)
    )


def voter_rows(body: str) -> list[str]:
    """The list's rows, in order, as the text of each."""
    rows = re.findall(r'<li class="voter-row[^"]*"[^>]*>(.*?)</li>', body, flags=re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split()) for row in rows]


def more_link(body: str) -> tuple[str, str]:
    """The "Show more" link's page and JSON addresses."""
    match = re.search(r'data-voters-more\s+href="([^"]*)"\s+data-json-url="([^"]*)"', body)
    assert match, "no Show more link"
    return html.unescape(match.group(1)), html.unescape(match.group(2))


def sign_in(client, holder) -> None:
    user = UserFactory(username=holder.address)
    Wallet.objects.create(address=holder.address, user=user)
    client.force_login(user)


# --- the poll page ------------------------------------------------------------------------


def test_poll_page_lists_the_counted_votes_largest_power_first(
    client, open_poll, signed_vote, chain_info
):
    # given bob splits his vote 3:1 and alice votes for one choice
    alice, bob = chain_info.holders[0], chain_info.holders[1]
    vote(open_poll, signed_vote, bob, [(2, 1), (3, 3)])
    vote(open_poll, signed_vote, alice, [(4, 1)])

    body = client.get(open_poll.get_absolute_url()).content.decode()

    # then alice (4M) comes before bob (2.25M), each with their choices and power
    assert 'id="voters-heading-' in body
    assert voter_rows(body) == [
        f"{alice.address[:6]}…{alice.address[-4:]} Coinbase 4,000,000 HBOT",
        f"{bob.address[:6]}…{bob.address[-4:]} Kraken 75.0% OKX 25.0% 2,250,000 HBOT",
    ]
    assert f'title="{alice.address}"' in body
    assert "No votes yet." in body  # present for the script, hidden
    assert re.search(r"data-voters-empty hidden", body)


def test_poll_page_without_votes_says_so(client, open_poll):
    body = client.get(open_poll.get_absolute_url()).content.decode()

    assert voter_rows(body) == []
    assert re.search(r"data-voters-empty>", body)
    assert re.search(r"data-voters-more-line hidden", body)


def test_a_replaced_vote_is_not_listed(client, open_poll, signed_vote, chain_info):
    alice = chain_info.holders[0]
    typed_data, signature = signed_vote(
        poll=open_poll, key=alice.private_key, choices=[(1, 1)], timestamp=now_seconds() - 10
    )
    vote_cast(typed_data=typed_data, signature=signature, poll_id=open_poll.pk)
    vote(open_poll, signed_vote, alice, [(2, 1)])

    body = client.get(open_poll.get_absolute_url()).content.decode()

    assert voter_rows(body) == [f"{alice.address[:6]}…{alice.address[-4:]} OKX 4,000,000 HBOT"]


def test_signed_in_holder_sees_their_vote_first_as_you(client, open_poll, signed_vote, chain_info):
    # given alice and heidi voted; heidi has far less power, and is signed in
    alice, heidi = chain_info.holders[0], chain_info.holders[7]
    vote(open_poll, signed_vote, alice, [(1, 1)])
    vote(open_poll, signed_vote, heidi, [(3, 1)])
    sign_in(client, heidi)

    body = client.get(open_poll.get_absolute_url()).content.decode()

    # then her vote is first, marked and linked to her voting-power page
    rows = voter_rows(body)
    assert rows[0] == f"You {heidi.address[:6]}…{heidi.address[-4:]} Kraken 60,000 HBOT"
    assert rows[1].startswith(alice.address[:6])
    assert len(rows) == 2
    assert '<li class="voter-row is-you"' in body
    assert f'<a href="/voting-power/" title="{heidi.address}">' in body


def test_voters_known_to_another_app_are_named_and_linked(
    client, open_poll, signed_vote, chain_info, monkeypatch
):
    alice = chain_info.holders[0]
    monkeypatch.setattr(
        voter_profiles,
        "_providers",
        [lambda query: {alice.address.lower(): VoterProfile("Alice Dev", "/maintainers/alice/")}],
    )
    vote(open_poll, signed_vote, alice, [(1, 1)])

    body = client.get(open_poll.get_absolute_url()).content.decode()

    assert f'<a href="/maintainers/alice/" title="{alice.address}">Alice Dev</a>' in body


def test_a_long_list_shows_one_page_and_a_show_more_link_that_continues(client, open_poll):
    # given more votes than a page holds
    stored_votes(open_poll, VOTERS_PER_PAGE + 5)

    # when the poll page is read
    body = client.get(open_poll.get_absolute_url()).content.decode()

    # then it lists a page, the largest first, with a link to the rest
    rows = voter_rows(body)
    assert len(rows) == VOTERS_PER_PAGE
    assert rows[0].endswith(f"{VOTERS_PER_PAGE + 5} HBOT")
    page_url, json_url = more_link(body)
    assert page_url.startswith(f"/polls/{open_poll.pk}/voters/?after=")
    assert json_url.startswith(f"/polls/{open_poll.pk}/voters.json?after=")

    # and the link's page (no script) lists the other five and no further link
    rest = client.get(page_url)
    assert rest.status_code == 200
    rest_rows = voter_rows(rest.content.decode())
    assert [row.split()[-2] for row in rest_rows] == ["5", "4", "3", "2", "1"]
    assert re.search(r"data-voters-more-line hidden", rest.content.decode())

    # and the script's data says the same
    data = client.get(json_url).json()
    assert [v["voting_power_hbot"] for v in data["voters"]] == ["5", "4", "3", "2", "1"]
    assert data["next"] is None
    assert voter_rows(data["html"]) == rest_rows


def test_poll_page_reads_a_page_of_votes_in_the_same_queries_whatever_their_number(
    client, open_poll, chain_info
):
    # given a signed-in holder (whose balance at the snapshot is read once, then cached)
    # and one vote
    sign_in(client, chain_info.holders[0])
    stored_votes(open_poll, 1)
    assert client.get(open_poll.get_absolute_url()).status_code == 200
    with CaptureQueriesContext(connection) as one:
        assert client.get(open_poll.get_absolute_url()).status_code == 200

    # when there are hundreds
    Vote.objects.filter(poll=open_poll).delete()
    stored_votes(open_poll, 300)
    with CaptureQueriesContext(connection) as many:
        body = client.get(open_poll.get_absolute_url()).content.decode()

    # then the page costs the same queries, reads the votes with a limit, lists a page
    assert len(many) == len(one)
    vote_reads = [q["sql"] for q in many if 'FROM "governance_vote"' in q["sql"]]
    assert len(vote_reads) == 3  # the holder's vote (You card), the page, the holder's row
    page_read = next(sql for sql in vote_reads if '"voting_power" DESC' in sql)
    assert f"LIMIT {VOTERS_PER_PAGE + 1}" in page_read
    assert len(voter_rows(body)) == VOTERS_PER_PAGE


def test_a_closed_poll_still_lists_its_votes_with_the_list_script_only(
    client, open_poll, signed_vote, chain_info
):
    vote(open_poll, signed_vote, chain_info.holders[0], [(1, 1)])
    assert poll_close(poll=open_poll, now=open_poll.ends_at)
    poll_finalize(poll=open_poll)

    body = client.get(open_poll.get_absolute_url()).content.decode()

    assert len(voter_rows(body)) == 1
    assert "js/voters.js" in body
    assert "js/vote.js" not in body


def test_archived_and_draft_polls_have_no_list_of_votes(client, history, draft_poll):
    archived = Poll.objects.get(reference="HGP-68")

    for poll in (archived, draft_poll):
        body = client.get(poll.get_absolute_url()).content.decode()
        assert "data-voters" not in body
        assert "js/voters.js" not in body
        assert client.get(f"/polls/{poll.pk}/voters/").status_code == 404
        assert client.get(f"/polls/{poll.pk}/voters.json").status_code == 404


def test_the_list_of_a_missing_poll_is_404(client, db):
    assert client.get("/polls/999999/voters/").status_code == 404
    assert client.get("/polls/999999/voters.json").status_code == 404


# --- voters.json: "Show more", and the refresh after a vote -------------------------------


def test_after_a_vote_the_list_shows_it_first_for_the_address_that_voted(
    client, open_poll, signed_vote, chain_info
):
    # given many votes larger than heidi's, then heidi votes from the page (not signed in)
    stored_votes(open_poll, VOTERS_PER_PAGE + 5)
    Vote.objects.filter(poll=open_poll).update(voting_power=10**6 * HBOT)
    heidi = chain_info.holders[7]
    assert post_vote(client, open_poll, signed_vote, heidi, [(2, 1), (4, 3)]).status_code == 201

    # when the page's script reads the list again with the address its wallet signed with
    data = client.get(f"/polls/{open_poll.pk}/voters.json?voter={heidi.address.lower()}").json()

    # then her vote is first, with her choices and power, marked as hers
    first = data["voters"][0]
    assert first == {
        "voter": heidi.address,
        "you": True,
        "voting_power": str(60_000 * HBOT),
        "voting_power_hbot": "60000",
        "choices": [
            {"label": "Coinbase", "weight": 3, "share": "75"},
            {"label": "OKX", "weight": 1, "share": "25"},
        ],
    }
    assert voter_rows(data["html"])[0] == (
        f"You {heidi.address[:6]}…{heidi.address[-4:]} Coinbase 75.0% OKX 25.0% 60,000 HBOT"
    )
    assert '<a href="/voting-power/"' not in data["html"]  # not signed in: no page of hers
    assert len(data["voters"]) == VOTERS_PER_PAGE + 1
    assert data["next"]["json"].startswith(f"/polls/{open_poll.pk}/voters.json?after=")


def test_voters_json_of_a_signed_in_holder_puts_their_vote_first(
    client, open_poll, signed_vote, chain_info
):
    alice, heidi = chain_info.holders[0], chain_info.holders[7]
    vote(open_poll, signed_vote, alice, [(1, 1)])
    vote(open_poll, signed_vote, heidi, [(1, 1)])
    sign_in(client, heidi)

    data = client.get(f"/polls/{open_poll.pk}/voters.json").json()

    assert [(v["voter"], v["you"]) for v in data["voters"]] == [
        (heidi.address, True),
        (alice.address, False),
    ]
    assert '<a href="/voting-power/"' in data["html"]
    assert data["next"] is None


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("after=12", "must look like <power>.<vote id>"),
        ("after=1.2.3", "must look like <power>.<vote id>"),
        ("voter=0x123", "voter must be an Ethereum address"),
        ("voter=alice", "voter must be an Ethereum address"),
    ],
)
def test_voters_json_refuses_a_malformed_query_clearly(client, open_poll, query, message):
    response = client.get(f"/polls/{open_poll.pk}/voters.json?{query}")

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert response.json()["code"] == "invalid_query"


def test_the_voters_page_refuses_a_malformed_position_and_offers_the_start(client, open_poll):
    response = client.get(f"/polls/{open_poll.pk}/voters/?after=bogus")

    body = response.content.decode()
    assert response.status_code == 400
    assert "must look like &lt;power&gt;.&lt;vote id&gt;" in body
    assert f'<a href="/polls/{open_poll.pk}/voters/">Start from the largest vote</a>' in body


# --- the proposal page ----------------------------------------------------------------------


@pytest.fixture
def proposal(catalogue, history, chain_settings, chain_info) -> Proposal:
    """An HGP under HGP-77 (in force), its vote open."""
    return open_bounty_proposal(chain_info.holders[0])


def test_proposal_page_lists_the_votes_with_for_against_abstain(
    client, proposal, signed_vote, chain_info
):
    alice, bob, heidi = (chain_info.holders[i] for i in (0, 1, 7))
    assert proposal.poll is not None
    vote(proposal.poll, signed_vote, bob, [(2, 1)])
    vote(proposal.poll, signed_vote, alice, [(1, 1)])
    vote(proposal.poll, signed_vote, heidi, [(3, 1)])

    body = client.get(proposal.get_absolute_url()).content.decode()

    assert [row.split(" ", 1)[1] for row in voter_rows(body)] == [
        "For 4,000,000 HBOT",
        "Against 2,250,000 HBOT",
        "Abstain 60,000 HBOT",
    ]
    assert "js/vote.js" in body


# --- the poll list ----------------------------------------------------------------------------


def test_poll_list_cards_show_turnout_and_the_leader(client, open_poll, signed_vote, chain_info):
    vote(open_poll, signed_vote, chain_info.holders[0], [(3, 1)])
    vote(open_poll, signed_vote, chain_info.holders[1], [(2, 1)])

    body = client.get("/polls/").content.decode()

    assert '<dd data-testid="turnout">2 voters · 6,250,000 HBOT</dd>' in body
    assert re.search(
        r'<dd data-testid="leader">Kraken <span class="muted">64\.0%</span></dd>', body
    )


def test_poll_list_card_of_a_poll_without_votes_says_so(client, open_poll):
    body = client.get("/polls/").content.decode()

    assert "no votes yet" in body


def test_poll_list_rows_show_each_outcome(client, history, open_poll, signed_vote, chain_info):
    # given a finalized poll (Kraken above the threshold alone) beside the published ones
    vote(open_poll, signed_vote, chain_info.holders[0], [(3, 1)])
    assert poll_close(poll=open_poll, now=open_poll.ends_at)
    poll_finalize(poll=open_poll)

    body = client.get("/polls/").content.decode()

    outcomes = {
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())
        for row in re.findall(
            r'<span class="poll-outcome" data-testid="outcome">(.*?)</span>\s*</td>',
            body,
            flags=re.S,
        )
    }
    assert "Winner: Kraken 100.0% 1 included · 3 removed · 4,000,000 HBOT from 1 voter" in outcomes
    # and the published results: with their figures, or the ranks alone where only those were
    assert "Winner: Binance 11.2% 18 included · 2 removed" in outcomes  # HGP-68
    assert "Winner: Binance 23 included · 0 removed · 22,000,000 HBOT from 39 voters" in outcomes
    assert all(text.startswith("Winner: ") for text in outcomes), outcomes


def test_a_closed_poll_in_the_list_shows_who_leads_pending_the_tally(
    client, open_poll, signed_vote, chain_info
):
    vote(open_poll, signed_vote, chain_info.holders[1], [(4, 1)])
    assert poll_close(poll=open_poll, now=open_poll.ends_at)

    body = client.get("/polls/").content.decode()

    assert re.search(r"Leading: <strong>Coinbase</strong>", body)
    assert "tally pending" in body


def test_proposal_polls_stay_off_the_poll_list(client, db):
    poll = PollFactory(kind=PollKind.PROPOSAL, voting_method="basic", title="Vote on HGP-1")
    ChoiceFactory(poll=poll, position=1, label="For")

    assert "Vote on HGP-1" not in client.get("/polls/").content.decode()
