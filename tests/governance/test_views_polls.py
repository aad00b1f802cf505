"""Poll pages: the list, a poll (live, final, archived), voting as the page's form does
(through the API's vote endpoint) and its refusals, results.json, staff actions, the results
history and the connector panel."""

from __future__ import annotations

import copy
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance import eip712
from governance.models import Poll, PollKind, PollStatus, Vote, Wallet
from governance.services.polls import poll_close
from tests.factories import ConnectorFactory, ExchangeFactory, UserFactory
from tests.governance.factories import ChoiceFactory, EpochFactory, PollFactory

pytestmark = pytest.mark.django_db


def post_vote(client, poll_id, typed_data, signature, **extra):
    """Post a vote where the page's form (static/js/vote.js) posts it: the API."""
    return client.post(
        f"/api/v1/polls/{poll_id}/votes/",
        data=json.dumps({"typed_data": typed_data, "signature": signature}),
        content_type="application/json",
        **extra,
    )


@pytest.fixture
def alice(chain_info):
    return chain_info.holders[0]


# --- pages ------------------------------------------------------------------------------


def test_poll_list_puts_open_polls_first(client, open_poll):
    archived = PollFactory(archived=True, title="Epoch 3 CEX poll")

    body = client.get("/polls/").content.decode()

    assert body.index("Voting now") < body.index(open_poll.title) < body.index(archived.title)


def test_archived_poll_shows_published_figures_notes_and_source(client, history):
    poll = Poll.objects.get(reference="HGP-68")

    body = client.get(poll.get_absolute_url()).content.decode()

    assert "Published" in body
    assert "10.3m HBOT" in body
    assert "11.24%" in body
    assert "✗ fails" in body  # Hashkey and Tegro
    assert "Notes on the published figures" in body
    assert poll.external_url in body
    assert 'href="/rules/hgp-70-2025/"' in body
    assert "Cast your vote" not in body


def test_active_poll_embeds_what_the_wallet_signs(client, open_poll, settings):
    response = client.get(open_poll.get_absolute_url())
    body = response.content.decode()

    assert response.status_code == 200
    config = json.loads(body.split('id="vote-config" type="application/json">')[1].split("<")[0])
    assert config == {
        "poll": open_poll.pk,
        "primaryType": "Vote",
        "types": eip712.VOTE_TYPES,
        "domain": eip712.domain(),
        "maxWeight": eip712.MAX_WEIGHT,
        "method": "weighted",
    }
    assert body.count('class="weight-input"') == 4
    assert "data-countdown" in body
    assert f"/api/v1/polls/{open_poll.pk}/votes.json" in body
    assert "js/vote.js" in body


def test_signed_in_holder_sees_power_at_snapshot_and_current_vote(
    client, open_poll, signed_vote, chain_info
):
    bob = chain_info.holders[1]
    user = UserFactory(username=bob.address)
    Wallet.objects.create(address=bob.address, user=user)
    client.force_login(user)
    typed_data, signature = signed_vote(
        poll=open_poll, key=bob.private_key, choices=[(2, 3), (4, 1)]
    )
    assert post_vote(client, open_poll.pk, typed_data, signature).status_code == 201

    body = client.get(open_poll.get_absolute_url()).content.decode()

    assert "2,250,000 HBOT" in body
    assert f"at block {open_poll.snapshot_block}" in body
    assert 'OKX <span class="muted">weight 3 · 75.0%</span>' in body
    assert "Change your vote" in body
    assert 'value="3"' in body  # the form starts from the current vote


def test_proposal_vote_offers_for_against_abstain(client, chain_settings, epoch):
    poll = PollFactory(kind=PollKind.PROPOSAL, voting_method="basic", epoch=epoch)
    for position, label in enumerate(["For", "Against", "Abstain"], start=1):
        ChoiceFactory(poll=poll, position=position, label=label)
    from governance.services.polls import poll_open

    poll_open(poll=poll)

    body = client.get(poll.get_absolute_url()).content.decode()

    assert body.count("data-basic-choice=") == 3
    assert "weight-input" not in body


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_poll_page_queries_do_not_grow_with_choices(client):
    # given an archived poll with 2 choices, then the same with 20
    poll = PollFactory(epoch=EpochFactory(), archived=True)

    def add_choices(positions: range) -> None:
        for position in positions:
            ChoiceFactory(
                poll=poll,
                position=position,
                exchange=ExchangeFactory(),
                final_rank=position,
                final_share=1,
                passed=True,
            )

    add_choices(range(1, 3))
    with_two = queries_for(client, poll.get_absolute_url())
    add_choices(range(3, 21))
    body = client.get(poll.get_absolute_url()).content.decode()

    # then the page costs the same queries, and shows every choice
    assert queries_for(client, poll.get_absolute_url()) == with_two
    assert body.count('data-testid="result-row"') == 20


def test_live_poll_page_queries_do_not_grow_with_votes(client, open_poll, signed_vote, chain_info):
    typed_data, signature = signed_vote(
        poll=open_poll, key=chain_info.holders[0].private_key, choices=[(1, 1)]
    )
    post_vote(client, open_poll.pk, typed_data, signature)
    one = queries_for(client, open_poll.get_absolute_url())
    for holder in chain_info.holders[1:6]:
        typed_data, signature = signed_vote(
            poll=open_poll, key=holder.private_key, choices=[(2, 1)]
        )
        assert post_vote(client, open_poll.pk, typed_data, signature).status_code == 201

    assert queries_for(client, open_poll.get_absolute_url()) == one


def test_unknown_poll_is_404(client, db):
    assert client.get("/polls/999999/").status_code == 404


# --- voting from the page ---------------------------------------------------------------


def test_vote_form_posts_to_the_api(client, open_poll):
    body = client.get(open_poll.get_absolute_url()).content.decode()

    assert f'data-vote-url="/api/v1/polls/{open_poll.pk}/votes/"' in body


def test_vote_is_counted_and_results_json_reflects_it(client, open_poll, signed_vote, alice):
    typed_data, signature = signed_vote(poll=open_poll, key=alice.private_key, choices=[(3, 1)])

    response = post_vote(client, open_poll.pk, typed_data, signature)

    assert response.status_code == 201
    body = response.json()
    assert body["voter"] == alice.address
    assert body["voting_power"] == str(4_000_000 * 10**18)  # what vote.js shows
    assert Vote.objects.filter(poll=open_poll, voter=alice.address, is_current=True).exists()
    results = client.get(f"/polls/{open_poll.pk}/results.json").json()
    assert results["voter_count"] == 1
    assert results["choices"][0]["label"] == "Kraken"
    assert results["choices"][0]["share"] == "100"
    assert results["choices"][0]["passed"] is True
    assert 'data-testid="result-row"' in results["html"]


def test_the_pages_own_vote_endpoint_is_gone(client, open_poll, signed_vote, alice):
    typed_data, signature = signed_vote(poll=open_poll, key=alice.private_key, choices=[(1, 1)])
    body = json.dumps({"typed_data": typed_data, "signature": signature})

    response = client.post(
        f"/polls/{open_poll.pk}/vote/", data=body, content_type="application/json"
    )

    assert response.status_code == 404
    assert client.get(f"/polls/{open_poll.pk}/vote/").status_code == 404
    assert not Vote.objects.exists()


def refusal(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["error"]
    assert not Vote.objects.exists()
    return body["error"]


def test_vote_signed_for_another_poll_is_malformed(client, open_poll, signed_vote, alice):
    typed_data, signature = signed_vote(poll=open_poll, key=alice.private_key, choices=[(1, 1)])
    other = PollFactory(archived=True)

    message = refusal(post_vote(client, other.pk, typed_data, signature), 400, "malformed")

    assert f"signed for poll {open_poll.pk}" in message


def test_vote_for_a_missing_poll_is_404(client, chain_settings, signed_vote, alice):
    typed_data, signature = signed_vote(poll=999999, key=alice.private_key, choices=[(1, 1)])

    refusal(post_vote(client, 999999, typed_data, signature), 404, "poll_not_found")


def test_vote_on_another_domain_is_refused(client, open_poll, signed_vote, alice):
    typed_data, _ = signed_vote(poll=open_poll, key=alice.private_key, choices=[(1, 1)])
    typed_data["domain"]["name"] = "Snapshot"
    from tests.governance.conftest import sign_typed_data

    signature = sign_typed_data(typed_data, alice.private_key)

    refusal(post_vote(client, open_poll.pk, typed_data, signature), 400, "wrong_domain")


def test_vote_on_another_chain_is_refused(client, open_poll, signed_vote, alice):
    typed_data, signature = signed_vote(poll=open_poll, key=alice.private_key, choices=[(1, 1)])
    typed_data = copy.deepcopy(typed_data)
    typed_data["domain"]["chainId"] = 1

    message = refusal(post_vote(client, open_poll.pk, typed_data, signature), 400, "wrong_chain")

    assert "Switch your wallet's network" in message


def test_vote_signed_by_someone_else_is_refused(client, open_poll, signed_vote, chain_info):
    alice, bob = chain_info.holders[0], chain_info.holders[1]
    typed_data, signature = signed_vote(
        poll=open_poll, key=bob.private_key, choices=[(1, 1)], voter=alice.address
    )

    refusal(post_vote(client, open_poll.pk, typed_data, signature), 400, "bad_signature")


def test_vote_on_a_closed_poll_is_refused(client, open_poll, signed_vote, alice):
    poll_close(poll=open_poll, now=open_poll.ends_at)
    typed_data, signature = signed_vote(poll=open_poll, key=alice.private_key, choices=[(1, 1)])

    refusal(post_vote(client, open_poll.pk, typed_data, signature), 409, "poll_not_active")


def test_vote_for_an_unknown_choice_is_refused(client, open_poll, signed_vote, alice):
    typed_data, signature = signed_vote(poll=open_poll, key=alice.private_key, choices=[(9, 1)])

    refusal(post_vote(client, open_poll.pk, typed_data, signature), 400, "unknown_choice")


def test_vote_from_an_empty_wallet_is_refused(client, open_poll, signed_vote):
    key = "0x" + "42" * 32

    message = refusal(
        post_vote(client, open_poll.pk, *signed_vote(poll=open_poll, key=key, choices=[(1, 1)])),
        403,
        "zero_balance",
    )

    assert "held no HBOT" in message


@pytest.mark.parametrize(
    ("offset", "code"), [(-3600, "stale_timestamp"), (3600, "future_timestamp")]
)
def test_vote_with_a_timestamp_out_of_window_is_refused(
    client, open_poll, signed_vote, alice, offset, code
):
    from tests.governance.conftest import now_seconds

    typed_data, signature = signed_vote(
        poll=open_poll, key=alice.private_key, choices=[(1, 1)], timestamp=now_seconds() + offset
    )

    refusal(post_vote(client, open_poll.pk, typed_data, signature), 400, code)


def test_the_same_signed_vote_counts_once(client, open_poll, signed_vote, alice):
    typed_data, signature = signed_vote(poll=open_poll, key=alice.private_key, choices=[(1, 1)])
    assert post_vote(client, open_poll.pk, typed_data, signature).status_code == 201

    response = post_vote(client, open_poll.pk, typed_data, signature)

    assert response.status_code == 409
    assert response.json()["code"] == "replayed"
    assert Vote.objects.count() == 1


def test_vote_when_the_chain_is_down_is_503(client, open_poll, signed_vote, alice, settings):
    typed_data, signature = signed_vote(poll=open_poll, key=alice.private_key, choices=[(1, 1)])
    settings.ETH_RPC_URL = "http://127.0.0.1:9"

    message = refusal(
        post_vote(client, open_poll.pk, typed_data, signature), 503, "chain_unavailable"
    )

    assert "Could not read your HBOT balance" in message


# --- staff actions ----------------------------------------------------------------------


def test_staff_opens_a_draft(client, staff_user, draft_poll, chain_settings):
    client.force_login(staff_user)

    response = client.post(f"/polls/{draft_poll.pk}/open/", follow=True)

    draft_poll.refresh_from_db()
    assert draft_poll.status == PollStatus.ACTIVE
    assert draft_poll.snapshot_block is not None
    assert "The poll is open until" in response.content.decode()


def test_opening_without_a_chain_explains_and_changes_nothing(
    client, staff_user, draft_poll, settings
):
    settings.ETH_RPC_URL = "http://127.0.0.1:9"
    client.force_login(staff_user)

    response = client.post(f"/polls/{draft_poll.pk}/open/", follow=True)

    draft_poll.refresh_from_db()
    assert draft_poll.status == PollStatus.DRAFT
    assert "Could not open the poll: Could not fix the snapshot block" in response.content.decode()


def test_staff_finalizes_a_closed_poll(client, staff_user, open_poll, signed_vote, alice):
    post_vote(
        client, open_poll.pk, *signed_vote(poll=open_poll, key=alice.private_key, choices=[(1, 1)])
    )
    poll_close(poll=open_poll, now=open_poll.ends_at)
    client.force_login(staff_user)

    body = client.post(f"/polls/{open_poll.pk}/finalize/", follow=True).content.decode()

    open_poll.refresh_from_db()
    assert open_poll.status == PollStatus.FINALIZED
    assert "Finalized: 1 voter(s)" in body
    assert "Frozen when the poll was finalized" in body


def test_finalizing_an_active_poll_is_refused_with_a_message(client, staff_user, open_poll):
    client.force_login(staff_user)

    body = client.post(f"/polls/{open_poll.pk}/finalize/", follow=True).content.decode()

    open_poll.refresh_from_db()
    assert open_poll.status == PollStatus.ACTIVE
    assert "Could not finalize the poll" in body
    assert "only a closed poll can be finalized" in body


@pytest.mark.parametrize("action", ["open", "finalize"])
def test_staff_actions_refuse_others(client, outsider, draft_poll, action):
    client.force_login(outsider)

    response = client.post(f"/polls/{draft_poll.pk}/{action}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    draft_poll.refresh_from_db()
    assert draft_poll.status == PollStatus.DRAFT


def test_staff_actions_need_a_post(client, staff_user, draft_poll):
    client.force_login(staff_user)

    assert client.get(f"/polls/{draft_poll.pk}/open/").status_code == 405


def test_staff_see_the_buttons_and_others_do_not(client, staff_user, draft_poll):
    assert "Open now" not in client.get(draft_poll.get_absolute_url()).content.decode()

    client.force_login(staff_user)
    body = client.get(draft_poll.get_absolute_url()).content.decode()

    assert "Open now" in body
    assert "/admin/governance/poll/add/" in body


# --- results history and the connector panel ---------------------------------------------


def test_results_history_shows_winners_allocations_and_failures(client, history):
    body = client.get("/results/?epoch=7&kind=cex").content.decode()

    assert "Epoch 7" in body
    assert "OKX" in body
    assert "315,126 HBOT" in body
    assert 'href="/epochs/8/"' not in body
    assert body.count('data-testid="result-card"') == 1


def test_results_history_refuses_bad_filters_clearly(client, history):
    response = client.get("/results/?kind=bogus&epoch=x")

    assert response.status_code == 400
    body = response.content.decode()
    assert "Unknown poll kind" in body
    assert "Epoch must be a number" in body


def test_connector_page_shows_its_poll_history(client, catalogue, history):
    from connectors_registry.models import Connector

    binance = Connector.objects.get(connector_id="binance")
    body = client.get(binance.get_absolute_url()).content.decode()

    assert "Poll history" in body
    assert "HGP-68" in body  # Epoch 12 CLOB CEX, where Binance came first
    assert "HGP-61" in body  # Epoch 10 CLOB Spot, which polled the spot connector


def test_connector_page_queries_do_not_grow_with_polls(client):
    connector = ConnectorFactory()

    def add_polls(numbers: range) -> None:
        for number in numbers:
            poll = PollFactory(epoch=EpochFactory(number=300 + number), archived=True)
            ChoiceFactory(
                poll=poll, position=1, exchange=connector.exchange, final_rank=1, passed=True
            )

    add_polls(range(2))
    with_two = queries_for(client, connector.get_absolute_url())
    add_polls(range(2, 20))

    assert queries_for(client, connector.get_absolute_url()) == with_two
    assert client.get(connector.get_absolute_url()).content.decode().count("✓ passed") == 20


def test_voting_power_page_lists_open_polls_with_power_and_vote(
    client, open_poll, signed_vote, chain_info
):
    # given bob signed in, having voted on the open poll
    bob = chain_info.holders[1]
    user = UserFactory(username=bob.address)
    Wallet.objects.create(address=bob.address, user=user)
    client.force_login(user)
    post_vote(
        client, open_poll.pk, *signed_vote(poll=open_poll, key=bob.private_key, choices=[(1, 1)])
    )

    body = client.get("/voting-power/").content.decode()

    assert open_poll.title in body
    assert f"at snapshot block {open_poll.snapshot_block}" in body
    assert '<span data-testid="poll-power">2,250,000 HBOT</span>' in body
    assert "✓ voted" in body
